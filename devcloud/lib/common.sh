# devcloud/lib/common.sh - shared settings and helpers, sourced by every devcloud command.
#
# Everything the devcloud makes lives under one state directory, $DEVCLOUD_DIR
# (default /var/tmp/cairn-devcloud). Ports are fixed: one devcloud per machine.

# Debian's tools first: the OpenStack services and the openstack CLI are Debian's, and a
# python3 from elsewhere on PATH (pyenv, venvs) has none of their modules.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEVCLOUD_DIR=${DEVCLOUD_DIR:-/var/tmp/cairn-devcloud}
DC=$DEVCLOUD_DIR
export DEVCLOUD_DIR DEVCLOUD_LOG_DIR=$DC/logs

# --- addresses -----------------------------------------------------------------------
# 127.0.0.1  : the services' own traffic to each other (not in the catalog) and the
#              infrastructure (MariaDB, RabbitMQ). Keeping it apart from the catalog
#              means a test can cut one catalog interface without breaking the cloud.
# 127.0.0.11 : every service's public endpoint
# 127.0.0.12 : every service's internal endpoint
# 127.0.0.13 : every service's admin endpoint
# All of 127.0.0.0/8 is routed to lo by the kernel, so nothing has to be configured.
ADDR_SVC=127.0.0.1
ADDR_PUBLIC=127.0.0.11
ADDR_INTERNAL=127.0.0.12
ADDR_ADMIN=127.0.0.13

# service  port  catalog type  path appended to the endpoint URL
DEVCLOUD_SERVICES=(
  "keystone  5000 identity  /v3"
  "glance    9292 image     "
  "placement 8778 placement "
  "nova      8774 compute   /v2.1"
  "cinderv3  8776 volumev3  /v3/%(project_id)s"
  "neutron   9696 network   "
)
# The eventlet API servers listen on 0.0.0.0 (they take a single bind address); this
# port list is guarded by a firewall chain that drops anything not arriving on lo.
GUARDED_TCP_PORTS="9292,8774,8776,9696"

PASSWORD=secret            # every devcloud password (loopback only, throw-away cloud)
REGION=RegionOne
FLAVOR=m1.tiny             # 1 vCPU, 128 MB RAM, 1 GB disk
GUEST_IMAGE=cairn-guest    # the tiny guest, see devcloud/guest/
TENANT_NET=demo-net
TENANT_SUBNET_RANGE=10.99.0.0/24   # exists only on the devcloud's own bridges

# --- helpers -------------------------------------------------------------------------
_T0=${_T0:-$(date +%s.%N)}
ts() { # print a line prefixed by the seconds since the command started
  local now; now=$(date +%s.%N)
  printf '[%6.1fs] %s\n' "$(awk -v a="$now" -v b="$_T0" 'BEGIN{print a-b}')" "$*"
}
die() { echo "devcloud: ERROR: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

pidfile() { echo "$DC/run/$1.pid"; }
is_running() { # name -> true if the process of that pidfile is alive (and not a zombie)
  local f; f=$(pidfile "$1")
  [ -f "$f" ] && ps -o stat= -p "$(cat "$f")" 2>/dev/null | grep -q '^[^Z]'
}

# start NAME CMD... : run CMD in its own session (so its whole process group can be
# stopped), stdout/stderr to logs/NAME.stdout, pid to run/NAME.pid. The pid written
# is the session leader's own pid (written by the shell that then execs CMD).
start_bg() {
  local name=$1; shift
  local f; f=$(pidfile "$name")
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$f" "$@" </dev/null >"$DC/logs/$name.stdout" 2>&1 9>&- &
  for _ in $(seq 50); do [ -s "$f" ] && return 0; sleep 0.05; done
  die "could not start $name"
}

# group_alive PGID : true while the process group has a member that is not a zombie
# (orphans are reaped by PID 1, which may take its time; a zombie has stopped already)
group_alive() { ps -o stat= -g "$1" 2>/dev/null | grep -q '^[^Z]'; }

# stop_group NAME [SIGNAL [SECONDS]] : signal the process group of NAME, wait up to SECONDS
# (default 15), then KILL. Works also when the leader died and left children behind (e.g.
# an API's worker).
stop_group() {
  local name=$1 sig=${2:-TERM} secs=${3:-15} f p
  f=$(pidfile "$name"); [ -f "$f" ] || return 0
  p=$(cat "$f")
  if [ -n "$p" ] && group_alive "$p"; then
    kill "-$sig" -- "-$p" 2>/dev/null || true
    for _ in $(seq $((secs * 10))); do group_alive "$p" || break; sleep 0.1; done
    if group_alive "$p"; then
      [ "$secs" -ge 15 ] && echo "devcloud: $name (group $p) did not stop, SIGKILL"
      kill -KILL -- "-$p" 2>/dev/null || true
      for _ in $(seq 50); do group_alive "$p" || break; sleep 0.1; done
    fi
  fi
  rm -f "$f"
}

# wait_http URL [seconds] : until URL answers with any HTTP status
wait_http() {
  local url=$1 n=${2:-120}
  for _ in $(seq $((n * 2))); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.5
  done
  return 1
}

# http_code URL : the HTTP status of URL, or 000
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

# os_env USER [PROJECT] : the OS_* variables for a devcloud user (see devcloud/env)
os_env() {
  local user=${1:-admin} project=${2:-}
  if [ -z "$project" ]; then
    case $user in
      admin) project=admin ;;
      demo|reader) project=demo ;;
      other|other-reader) project=other ;;
      *) project=$user ;;
    esac
  fi
  cat <<EOF
export OS_AUTH_URL=http://$ADDR_PUBLIC:5000/v3
export OS_AUTH_TYPE=password
export OS_USERNAME=$user
export OS_PASSWORD=$PASSWORD
export OS_PROJECT_NAME=$project
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3
export OS_INTERFACE=public
export OS_REGION_NAME=$REGION
EOF
}
