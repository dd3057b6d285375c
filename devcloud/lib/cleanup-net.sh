#!/usr/bin/env bash
# devcloud/lib/cleanup-net.sh - remove the network state Neutron and the devcloud leave
# behind: DHCP namespaces (qdhcp-*) and the dnsmasq in them, Linux bridges and taps made
# by the linuxbridge agent (brq*, tap*, vxlan-*), Neutron's iptables chains, and the
# devcloud's firewall chain. Only names Neutron/devcloud create are touched.
# Called by `up` on a fresh start and by `down`.
set -uo pipefail
. "$(dirname "$0")/common.sh"

# dnsmasq processes the DHCP agent started (they daemonize, so they outlive the agent)
for f in "$DC"/data/neutron/dhcp/*/pid; do
  [ -f "$f" ] || continue
  p=$(cat "$f" 2>/dev/null)
  [ -n "$p" ] && grep -q dnsmasq "/proc/$p/comm" 2>/dev/null && kill "$p" 2>/dev/null
  rm -f "$f"
done
for ns in $(ip netns list 2>/dev/null | awk '/^qdhcp-/{print $1}'); do
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns delete "$ns" 2>/dev/null
done
for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(brq|tap|vxlan-)'); do
  ip link delete "$l" 2>/dev/null
done
# Neutron's chains all start with "neutron-"; rewrite each table without them
for t in filter raw mangle nat; do
  iptables-save -t $t 2>/dev/null | grep -q neutron- || continue
  iptables-save -t $t | grep -v -e '-j neutron-' -e '^:neutron-' -e '-A neutron-' | iptables-restore -T $t
done
exit 0
