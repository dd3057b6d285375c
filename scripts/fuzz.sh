#!/usr/bin/env bash
# Builds one libFuzzer target (clang, ASan + UBSan) and runs it for SECONDS
# (default 300), seeded with fuzz/corpus/TARGET. Targets: api_request_fuzz
# (the server core and the request body readers), manifest_fuzz (the
# manifest decoder), metadata_reader_fuzz (the *_db readers of import and
# the engine's writers); qcow2_reader_fuzz has
# its own script, scripts/fuzz-qcow2.sh. New inputs go to
# $FUZZ_BUILD/fuzz-corpus/TARGET (the committed seeds are left alone); a
# crash, leak, timeout or oversized allocation is written to
# $FUZZ_BUILD/fuzz-artifacts/TARGET/ and makes the script fail. Reproduce one
# with:  $FUZZ_BUILD/fuzz/TARGET $FUZZ_BUILD/fuzz-artifacts/TARGET/crash-...
#
# Usage: scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   FUZZ_BUILD (default build-fuzz), JOBS (default nproc): build settings.
set -euo pipefail

cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]}
shift
seconds=${1:-300}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-build-fuzz}
jobs=${JOBS:-$(nproc)}

scripts/install-deps.sh fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCAIRN_FUZZ=ON -DCAIRN_BUILD_TESTS=OFF -DCAIRN_BUILD_BENCH=OFF
fi
cmake --build "$build" --target "$target" -j "$jobs"

corpus="$build/fuzz-corpus/$target"
artifacts="$build/fuzz-artifacts/$target"
mkdir -p "$corpus" "$artifacts"

# -max_len: requests and *_db files of interest are small; manifests hold 16
# bytes per cluster, so a few hundred clusters. -malloc_limit_mb: nothing
# here needs a single allocation above 256 MiB for such inputs.
flags=(
  -max_total_time="$seconds"
  -timeout=10
  -rss_limit_mb=2048
  -malloc_limit_mb=256
  -max_len=16384
  -artifact_prefix="$artifacts/"
  -print_final_stats=1
)
dict="fuzz/${target%_fuzz}.dict"   # e.g. fuzz/manifest.dict
if [ -f "$dict" ]; then
  flags+=(-dict="$dict")
fi
exec "$build/fuzz/$target" "${flags[@]}" "$@" "$corpus" "fuzz/corpus/$target"
