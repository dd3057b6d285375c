#!/usr/bin/env bash
# devcloud/lib/packages.sh - install the Debian packages the devcloud needs.
#
# Idempotent: asks dpkg which packages are missing and installs only those.
# Package postinst scripts must not start the stock services (they would bind
# the ports the devcloud uses, with Debian's default configs), so while apt runs
# a policy-rc.d that forbids starting services is put in place if none exists.
set -euo pipefail

DEVCLOUD_PACKAGES=(
  # infrastructure
  mariadb-server python3-pymysql rabbitmq-server uwsgi-core uwsgi-plugin-python3
  # the OpenStack services (Zed, from Debian 12)
  keystone glance-api placement-api
  nova-api nova-conductor nova-scheduler nova-compute nova-compute-kvm
  neutron-server neutron-linuxbridge-agent neutron-dhcp-agent
  cinder-api cinder-scheduler cinder-volume
  # hypervisor and tools
  qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients genisoimage
  nfs-common e2fsprogs iptables iproute2 bridge-utils dnsmasq-base curl
  # the client the seed and the smoke test drive the APIs with
  python3-openstackclient
  # the guest: only downloaded (apt-get download), never installed - see guest/build
  # build of the guest's data writer (static)
  gcc libc6-dev cpio
)

missing=()
for p in "${DEVCLOUD_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "devcloud: installing ${#missing[@]} packages: ${missing[*]}"
t0=$(date +%s)
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# devcloud: no service starts during package installation\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  added_policy=1
fi
rc=0
"$(dirname "$0")/../../scripts/apt-install.sh" -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}" >"${DEVCLOUD_LOG_DIR:-/tmp}/apt-install.log" 2>&1 || rc=$?
[ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
if [ $rc -ne 0 ]; then
  echo "devcloud: apt-get install failed (rc=$rc), see ${DEVCLOUD_LOG_DIR:-/tmp}/apt-install.log" >&2
  tail -20 "${DEVCLOUD_LOG_DIR:-/tmp}/apt-install.log" >&2
  exit $rc
fi
echo "devcloud: packages installed in $(( $(date +%s) - t0 )) s"
