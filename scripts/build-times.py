#!/usr/bin/env python3
"""Where a build's time went, from ninja's log (BUILD/.ninja_log).

    scripts/build-times.py BUILD [TOP]

Prints the sum of the steps' times (compiles, PCH, links; the CPU a build needs, roughly,
when the machine is not shared), the span from the first step's start to the last one's
end, the TOP (default 25) slowest steps and the time per target. Only the last run of
each output counts, so measure a cold build: `cmake --build BUILD` into an empty
directory, with CCACHE_DISABLE=1 when a ccache launcher is configured. On a shared
machine a step's wall time grows with the load: compare sums measured under a similar
load, and report both.
"""

import collections
import os
import re
import sys


def read_log(path):
    steps = {}  # output -> (start ms, end ms); the last entry of an output wins
    with open(path) as f:
        header = f.readline()
        if not header.startswith("# ninja log v"):
            raise SystemExit(f"{path}: not a ninja log")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                steps[parts[3]] = (int(parts[0]), int(parts[1]))
    # A step with several outputs is logged once per output with the same times.
    unique = {}
    for output, times in steps.items():
        unique.setdefault(times, output)
    return {output: times for times, output in unique.items()}


def target_of(output):
    m = re.search(r"CMakeFiles/([^/]+)\.dir/", output)
    if m:
        return m.group(1)
    return "(links and other steps)"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    steps = read_log(os.path.join(argv[1], ".ninja_log"))
    top = int(argv[2]) if len(argv) > 2 else 25
    if not steps:
        print("no steps logged")
        return 1
    durations = {out: (end - start) / 1000 for out, (start, end) in steps.items()}
    span = (max(e for _, e in steps.values()) - min(s for s, _ in steps.values())) / 1000
    compiles = {o: d for o, d in durations.items() if o.endswith((".o", ".gch"))}
    print(f"steps {len(steps)}, of which compiles {len(compiles)}")
    print(f"sum of step times {sum(durations.values()):.0f} s (compiles {sum(compiles.values()):.0f} s), "
          f"span {span:.0f} s")
    print(f"\nslowest {top} steps:")
    for out, d in sorted(durations.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {d:7.1f} s  {out}")
    per_target = collections.Counter()
    count = collections.Counter()
    for out, d in durations.items():
        per_target[target_of(out)] += d
        count[target_of(out)] += 1
    print("\nper target (sum of step times, steps):")
    for target, d in per_target.most_common():
        print(f"  {d:7.1f} s  {count[target]:4d}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
