#!/usr/bin/env bash
# scripts/apt-install.sh [apt-get install options...] PACKAGE... - apt-get install,
# made safe to run on any Debian machine: waits for another apt or dpkg to finish
# (up to 10 minutes) instead of failing on its lock, and first finishes a dpkg run
# that was interrupted (a killed apt, a machine stopped mid-install), which would
# otherwise refuse every install with "dpkg was interrupted". Needs root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
LOCK_WAIT=(-o DPkg::Lock::Timeout=600)

# dpkg keeps the journal of an unfinished run in /var/lib/dpkg/updates;
# `dpkg --audit` lists packages left half installed or half configured.
if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ] || [ -n "$(dpkg --audit 2>/dev/null)" ]; then
  echo "apt-install: an earlier dpkg run was interrupted; finishing it (dpkg --configure -a)" >&2
  for _ in $(seq 60); do
    dpkg --configure -a >/dev/null && break
    sleep 10  # its lock is held by a dpkg that still runs
  done
fi
apt-get "${LOCK_WAIT[@]}" update -q >/dev/null
apt-get "${LOCK_WAIT[@]}" install -y -q "$@"
