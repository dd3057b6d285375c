#!/usr/bin/env bash
# tests/devcloud/endpoints.sh - the catalog's three interfaces are three distinct paths:
#  1. every service has a public, an internal and an admin endpoint, on 127.0.0.11/12/13,
#     and each of them answers;
#  2. a client using one interface is seen on that address only (devcloud/path count);
#  3. cutting one interface of one service breaks a client using it and no other.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
_T0=$(date +%s.%N)
. "$ROOT/devcloud/lib/common.sh"
eval "$("$ROOT/devcloud/env" demo)"
fail() { echo "ENDPOINTS FAILED: $*" >&2; exit 1; }
trap '"$ROOT/devcloud/path" restore >/dev/null' EXIT

# --- 1. the catalog -------------------------------------------------------------------------
catalog=$(openstack catalog list -f json)
for line in "${DEVCLOUD_SERVICES[@]}"; do
  read -r name port type _ <<<"$line"
  for iface_addr in public:$ADDR_PUBLIC internal:$ADDR_INTERNAL admin:$ADDR_ADMIN; do
    iface=${iface_addr%%:*} addr=${iface_addr#*:}
    url=$(echo "$catalog" | /usr/bin/python3 -c "
import json, sys
for s in json.load(sys.stdin):
    if s['Name'] == '$name':
        for e in s['Endpoints']:
            if e['interface'] == '$iface': print(e['url'])")
    case $url in
      "http://$addr:$port"*) ;;
      *) fail "$name $iface endpoint is '$url', expected http://$addr:$port..." ;;
    esac
    code=$(http_code "http://$addr:$port/")
    [ "$code" != 000 ] || fail "$name $iface ($addr:$port) does not answer"
  done
done
ts "every service: public, internal and admin endpoints on distinct addresses, all answer"

# --- 2. which interface a client used -----------------------------------------------------------
"$ROOT/devcloud/path" reset
OS_INTERFACE=internal openstack server list >/dev/null
counts=$("$ROOT/devcloud/path" count)
echo "$counts"
read -r _ pub int adm < <(echo "$counts" | awk '$1 == "nova"')
[ "$int" -ge 1 ] && [ "$pub" -eq 0 ] && [ "$adm" -eq 0 ] ||
  fail "an internal-interface client was counted public=$pub internal=$int admin=$adm for nova"
ts "a client on the internal interface reached Nova on 127.0.0.12 only"

# --- 3. cut one path ------------------------------------------------------------------------------
"$ROOT/devcloud/path" cut internal nova
if OS_INTERFACE=internal openstack server list >/dev/null 2>&1; then
  fail "the internal path to Nova is cut, yet a client on it succeeded"
fi
OS_INTERFACE=public openstack server list >/dev/null || fail "public path broken by cutting internal"
OS_INTERFACE=admin openstack server list >/dev/null || fail "admin path broken by cutting internal"
OS_INTERFACE=internal openstack volume type list >/dev/null || fail "Cinder's internal path broken by cutting Nova's"
"$ROOT/devcloud/path" restore
OS_INTERFACE=internal openstack server list >/dev/null || fail "internal path still broken after restore"
ts "cut internal/nova: clients on it fail, public, admin and other services work; restored"
trap - EXIT
ts "endpoints test passed"
