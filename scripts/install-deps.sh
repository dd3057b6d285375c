#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages that Cairn's build, tests and
# benchmarks need. Idempotent and quiet when everything is already present.
#   scripts/install-deps.sh        build, tests, benchmarks, demo
#   scripts/install-deps.sh fuzz   also clang and its fuzzer runtime
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libzstd-dev zlib1g-dev libxxhash-dev libssl-dev
  libcpp-httplib-dev libyaml-cpp-dev
  libcurl4-openssl-dev
  libhowardhinnant-date-dev
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev  # soci's headers include Boost
  libvirt-dev libnbd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev qemu-utils time openssl wrk
  python3  # scripts/test-summary.py
  postgresql
)
if [ "${1:-}" = "fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO "$(dirname "$0")/apt-install.sh" --no-install-recommends "${missing[@]}" >/dev/null
