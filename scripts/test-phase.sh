#!/usr/bin/env bash
# Runs one phase of a test run (make test, make test-devcloud-all) and records it for
# scripts/test-summary.py: the phase's name, start, end (epoch seconds) and exit status
# are appended to DIR/phases.tsv. Exits with the command's status, so make stops as before.
#   scripts/test-phase.sh DIR NAME COMMAND [ARGS...]
# A ctest phase also writes DIR/NAME.xml (ctest --output-junit), which the summary reads.
set -uo pipefail
dir=${1:?usage: scripts/test-phase.sh DIR NAME COMMAND...}
name=${2:?usage: scripts/test-phase.sh DIR NAME COMMAND...}
shift 2
mkdir -p "$dir"
echo "== $name: $*"
start=$(date +%s)
"$@"
rc=$?
printf '%s\t%s\t%s\t%s\n' "$name" "$start" "$(date +%s)" "$rc" >> "$dir/phases.tsv"
exit "$rc"
