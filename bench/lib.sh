# Shared by the benchmark scripts (source it).

# binaries N: prints N bytes of the machine's binaries and libraries from /usr
# (compressible like a real system disk), repeated if /usr holds less. The
# loop is bounded and ends when the reader has had enough (xargs exits 125
# once cat is killed by SIGPIPE); an unreadable file (exit 123) does not end it.
binaries() {
  local n=$1
  set +o pipefail
  { for _ in $(seq 32); do
      find /usr/lib /usr/bin /usr/libexec -type f -size +16k -print0 2>/dev/null | sort -z | xargs -0 cat 2>/dev/null && continue
      [ $? -ne 125 ] || break
    done; } | head -c "$n"
  set -o pipefail
}
