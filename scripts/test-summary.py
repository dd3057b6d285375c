#!/usr/bin/env python3
"""Prints the summary at the end of a test run (make test, make test-devcloud-all).

    scripts/test-summary.py DIR TITLE PHASE...

DIR holds what scripts/test-phase.sh recorded: phases.tsv (name, start, end, exit status
per phase that ran), NAME.xml for a ctest phase (ctest --output-junit) and `started` (the
run's start, epoch seconds). PHASE... are the phases the run was to go through, in order;
those without a record are shown as not run. Prints, per phase, its wall time and status
and, for ctest phases, the tests run, passed, failed and skipped; then every skipped test
grouped by its reason (the GTEST_SKIP message, the output of a test that exited with its
SKIP_RETURN_CODE, or "disabled") and every failed test. Counts follow ctest: a test that
was not run because its fixture's setup failed or its executable is missing is a failure.
Exits 0; the run's status is make's.
"""

import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict

# ctest's <skipped message=...> for the tests it counts as skipped (not as failed).
SKIP_MESSAGES = ("SKIP_REGULAR_EXPRESSION_MATCHED", "SKIP_RETURN_CODE")
MAX_NAMES = 4  # test names listed per skip reason


def duration(seconds):
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s"


def read_phases(directory):
    phases = {}
    try:
        with open(os.path.join(directory, "phases.tsv")) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 4:
                    name, start, end, rc = parts
                    phases[name] = (int(start), int(end), int(rc))
    except FileNotFoundError:
        pass
    return phases


def gtest_skip_reason(output):
    """The message of a GTEST_SKIP(): the lines between "file:line: Skipped" and
    "[  SKIPPED ]" in a one-case gtest run's output."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if re.search(r":\d+: Skipped$", line):
            message = []
            for rest in lines[i + 1:]:
                if rest.startswith("[  SKIPPED ]"):
                    break
                if rest.strip():
                    message.append(rest.strip())
            return " ".join(message) or f"GTEST_SKIP() without a message ({line.rsplit(':', 1)[0]})"
    return None


def last_line(output):
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def inner_gtest_skips(output):
    """Cases a gtest binary run as one ctest test skipped ("[  SKIPPED ] Suite.Case" in
    its closing list); ctest sees the test as passed."""
    return sorted(set(re.findall(r"^\[  SKIPPED \] (\S+\.\S+)$", output, re.M)))


class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []  # (test, why)
        self.skips = []  # (test, reason)

    @property
    def tests(self):
        return self.passed + self.failed + self.skipped

    def add_case(self, case):
        name = case.get("name", "?")
        status = case.get("status", "")
        out = case.findtext("system-out") or ""
        skipped = case.find("skipped")
        if status == "run":
            self.passed += 1
            for inner in inner_gtest_skips(out):
                self.skips.append((f"{name}: {inner}", "skipped inside a passing test; see its output"))
        elif status == "disabled":
            self.skipped += 1
            self.skips.append((name, "disabled (ctest DISABLED property or a DISABLED_ gtest case)"))
        elif status == "notrun" and skipped is not None and skipped.get("message", "").startswith(SKIP_MESSAGES):
            self.skipped += 1
            reason = gtest_skip_reason(out) if "REGULAR_EXPRESSION" in skipped.get("message") else None
            self.skips.append((name, reason or last_line(out)))
        elif status == "notrun":
            self.failed += 1
            why = f"not run: {skipped.get('message') if skipped is not None else 'unknown reason'}"
            if out.startswith("Failed test dependencies"):
                why += f" ({last_line(out)})"
            self.failures.append((name, why))
        else:
            self.failed += 1
            self.failures.append((name, "failed" if out.strip() else "failed (no output: a timeout or a crash?)"))


def read_results(path):
    if not os.path.exists(path):
        return None
    results = Results()
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        results.failures.append((os.path.basename(path), f"unreadable ctest results: {e}"))
        return results
    for case in root.iter("testcase"):
        results.add_case(case)
    return results


def print_summary(directory, title, expected):
    phases = read_phases(directory)
    order = list(expected) + [p for p in phases if p not in expected]
    try:
        with open(os.path.join(directory, "started")) as f:
            started = int(f.read().strip())
    except (FileNotFoundError, ValueError):
        started = min((p[0] for p in phases.values()), default=int(time.time()))
    failed_phase = any(p[2] != 0 for p in phases.values())
    incomplete = any(p not in phases for p in expected)
    verdict = "FAILED" if failed_phase else ("INCOMPLETE" if incomplete else "passed")

    print()
    print(f"==== {title}: summary ({verdict}) " + "=" * max(0, 50 - len(title)))
    print(f"{'phase':<18}{'time':>9}  {'status':<9}{'tests':>7}{'passed':>8}{'failed':>8}{'skipped':>9}")
    total = Results()
    all_results = OrderedDict()
    for name in order:
        if name not in phases:
            print(f"{name:<18}{'-':>9}  not run")
            continue
        start, end, rc = phases[name]
        status = "ok" if rc == 0 else f"FAILED({rc})"
        results = read_results(os.path.join(directory, f"{name}.xml"))
        line = f"{name:<18}{duration(end - start):>9}  {status:<9}"
        if results is not None:
            all_results[name] = results
            line += f"{results.tests:>7}{results.passed:>8}{results.failed:>8}{results.skipped:>9}"
            for attr in ("passed", "failed", "skipped"):
                setattr(total, attr, getattr(total, attr) + getattr(results, attr))
        print(line)
    print(f"{'total':<18}{duration(time.time() - started):>9}  {'':<9}"
          f"{total.tests:>7}{total.passed:>8}{total.failed:>8}{total.skipped:>9}")

    skips = [(phase, test, reason) for phase, r in all_results.items() for test, reason in r.skips]
    if skips:
        by_reason = OrderedDict()
        for phase, test, reason in skips:
            by_reason.setdefault((phase, reason), []).append(test)
        print(f"\nskipped ({len(skips)}), by reason:")
        for (phase, reason), tests in by_reason.items():
            names = ", ".join(tests[:MAX_NAMES]) + (f", and {len(tests) - MAX_NAMES} more" if len(tests) > MAX_NAMES else "")
            print(f"  [{phase}] {len(tests)} x {reason}\n      {names}")
    failures = [(phase, test, why) for phase, r in all_results.items() for test, why in r.failures]
    if failures:
        by_why = OrderedDict()
        for phase, test, why in failures:
            by_why.setdefault((phase, why), []).append(test)
        print(f"\nfailed ({len(failures)}), all of them:")
        for (phase, why), tests in by_why.items():
            print(f"  [{phase}] {len(tests)} x {why}\n      {', '.join(tests)}")
    for name in order:
        if name in phases and phases[name][2] != 0 and name not in all_results:
            print(f"\nphase {name} failed (exit status {phases[name][2]}): see its output above")
    print()


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    print_summary(argv[1], argv[2], argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
