#!/usr/bin/env bash
# Builds the qcow2 reader's libFuzzer target (clang, ASan + UBSan) and runs it
# for SECONDS (default 60), seeded with tests/qcow2/data/corpus. New inputs
# go to $FUZZ_BUILD/fuzz-corpus (the committed seeds are left alone); a crash,
# timeout or oversized allocation is written to $FUZZ_BUILD/fuzz-artifacts/
# and makes the script fail. Reproduce one with:
#   $FUZZ_BUILD/fuzz/qcow2_reader_fuzz $FUZZ_BUILD/fuzz-artifacts/crash-...
#
# Usage: scripts/fuzz-qcow2.sh [SECONDS] [extra libFuzzer flags...]
#   FUZZ_BUILD (default build-fuzz), JOBS (default nproc): build settings;
#   FUZZ_WORKERS (default 1): parallel fuzzing processes.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-build-fuzz}
jobs=${JOBS:-$(nproc)}
workers=${FUZZ_WORKERS:-1}

scripts/install-deps.sh fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCAIRN_FUZZ=ON -DCAIRN_BUILD_TESTS=OFF
fi
cmake --build "$build" --target qcow2_reader_fuzz -j "$jobs"

corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
mkdir -p "$corpus" "$artifacts"

# -malloc_limit_mb: the reader's largest buffers are an L1 table (bounded by
# the input's size), one L2 table and two clusters (at most 2 MiB each), so
# any single allocation above 64 MiB is a finding.
flags=(
  -max_total_time="$seconds"
  -timeout=10
  -rss_limit_mb=2048
  -malloc_limit_mb=64
  -max_len=65536
  -dict=fuzz/qcow2.dict
  -artifact_prefix="$artifacts/"
  -print_final_stats=1
)
if [ "$workers" -gt 1 ]; then
  flags+=(-fork="$workers")
fi
exec "$build/fuzz/qcow2_reader_fuzz" "${flags[@]}" "$@" "$corpus" tests/qcow2/data/corpus
