#!/usr/bin/env bash
# Benchmark: cairn-api under load. 1,000 workloads (1-3 VMs each) and 10,000
# snapshots in the demo project (plus 100 and 1,000 in the other project) in a
# SQLite database; wrk with 200 connections against the list and show routes.
#
#   bench/api_bench.sh [BUILD_DIR]
#
# Needs the devcloud's Keystone (brought up with devcloud/up && devcloud/seed
# when devcloud/status fails): the API validates the demo user's token there
# once and caches it, so Keystone is not what is measured. Runs the real
# cairn-api binary on 127.0.0.1 and a free port with a config in a temp dir
# (removed at the end). Prints per route: requests/s, p50 and p99 latency,
# non-2xx answers (counted by a wrk Lua script) and wrk's socket errors
# (connect, read, write, timeout), and whether the goal (p99 <= 50 ms, no
# error) is met. "CPU ms" is cairn-api's user + system CPU time per answer
# (from /proc), which depends less on the machine's load than the latencies.
#   CONNECTIONS (200), THREADS (cores), DURATION (20s), WORKERS ([api] workers,
#   200), POOL_SIZE ([database] pool_size, 8), WORKLOADS (1000), SNAPSHOTS
#   (10000), ONLY (a regex: only the routes whose name matches), KEEP=1 keeps
#   the temp dir; CAIRN_API runs another cairn-api binary (a before/after).
set -euo pipefail

BUILD=${1:-build}
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
API=${CAIRN_API:-"$BUILD/apps/cairn-api/cairn-api"}
SEED="$BUILD/bench/api_seed"
DEVCLOUD_DIR=${DEVCLOUD_DIR:-/var/tmp/cairn-devcloud}
export DEVCLOUD_DIR
CONNECTIONS=${CONNECTIONS:-200}
THREADS=${THREADS:-$(nproc)}
DURATION=${DURATION:-20s}
WORKERS=${WORKERS:-200}
POOL_SIZE=${POOL_SIZE:-8}
WORKLOADS=${WORKLOADS:-1000}
SNAPSHOTS=${SNAPSHOTS:-10000}
GOAL_P99_MS=50

fail() { echo "api_bench: $*" >&2; exit 1; }
for f in "$API" "$SEED"; do [ -x "$f" ] || fail "$f not built (run make build)"; done
command -v wrk >/dev/null || fail "wrk missing (scripts/install-deps.sh)"
command -v openstack >/dev/null || fail "the openstack CLI is missing (devcloud/up installs it)"

# 1. The devcloud's Keystone.
if ! "$SRC_DIR/devcloud/status" >/dev/null 2>&1; then
  echo "api_bench: the devcloud is not (fully) up: devcloud/up && devcloud/seed ..."
  "$SRC_DIR/devcloud/up" && "$SRC_DIR/devcloud/seed"
fi
for u in admin demo; do [ -r "$DEVCLOUD_DIR/openrc-$u" ] || fail "$DEVCLOUD_DIR/openrc-$u missing"; done

WORK=$(mktemp -d /tmp/cairn-api-bench.XXXXXX)
API_PID=""
cleanup() {
  if [ -n "$API_PID" ] && kill -0 "$API_PID" 2>/dev/null; then
    kill -TERM "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "api_bench: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The demo user's token (what the clients send), its project and user.
# shellcheck disable=SC1091
TOKEN_JSON=$( (. "$DEVCLOUD_DIR/openrc-demo" && openstack token issue -f json) ) || fail "cannot get a demo token"
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$TOKEN_JSON"; }
TOKEN=$(field id)
PROJECT=$(field project_id)
USER_ID=$(field user_id)
# shellcheck disable=SC1091
OTHER_PROJECT=$( (. "$DEVCLOUD_DIR/openrc-other" && openstack token issue -f value -c project_id) ) ||
  fail "cannot get the other project's id"

# 2. The configuration: the devcloud admin as Cairn's service user.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC1091
(
  . "$DEVCLOUD_DIR/openrc-admin"
  cat > "$WORK/cairn.conf" <<EOF
[DEFAULT]
log_file = $WORK/cairn-api.log
[database]
connection = sqlite:///$WORK/cairn.db
pool_size = $POOL_SIZE
[keystone_authtoken]
auth_url = $OS_AUTH_URL
username = $OS_USERNAME
password = $OS_PASSWORD
project_name = $OS_PROJECT_NAME
region_name = ${OS_REGION_NAME:-RegionOne}
[api]
bind_host = 127.0.0.1
bind_port = $PORT
workers = $WORKERS
policy_file = $WORK/no-policy.yaml
EOF
)

# 3. The data.
echo "api_bench: seeding $WORKLOADS workloads and $SNAPSHOTS snapshots in project $PROJECT ..."
WORKLOAD_ID=$("$SEED" --connection "sqlite:///$WORK/cairn.db" --project "$PROJECT" --user "$USER_ID" \
  --workloads "$WORKLOADS" --snapshots "$SNAPSHOTS" --other-project "$OTHER_PROJECT" 2>"$WORK/seed.log") ||
  { cat "$WORK/seed.log" >&2; fail "seeding failed"; }

# 4. The API.
"$API" --config-file "$WORK/cairn.conf" 2>"$WORK/cairn-api.stderr" &
API_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do
  curl -sf -o /dev/null "$BASE/" && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$WORK/cairn-api.stderr" "$WORK/cairn-api.log" >&2 2>/dev/null; fail "cairn-api exited"; }
  sleep 0.1
done
curl -sf -o /dev/null "$BASE/" || fail "cairn-api does not answer on $BASE"

# 5. The load: one wrk run per route.
cat > "$WORK/auth.lua" <<'EOF'
-- Sends the token; counts answers that are not 2xx (wrk itself counts only
-- socket errors and status >= 400) and prints one summary line.
wrk.headers["X-Auth-Token"] = os.getenv("CAIRN_TOKEN")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format("CAIRN-RESULT %d %d %d %d %d %d %d %d %.3f %.3f %.3f\n", summary.requests,
    summary.duration, n, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF

ROUTES=(
  "workloads|/v1/$PROJECT/workloads"
  "workloads/detail?limit=100|/v1/$PROJECT/workloads/detail?limit=100"
  "snapshots?limit=100|/v1/$PROJECT/snapshots?limit=100"
  "workloads/<id>|/v1/$PROJECT/workloads/$WORKLOAD_ID"
)
export CAIRN_TOKEN=$TOKEN
LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
declare -A RESULT BYTES CPU
TICK=$(getconf CLK_TCK)
# cpu_ticks: user + system CPU time of cairn-api so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$API_PID/stat"; }
if [ -n "${ONLY:-}" ]; then
  selected=()
  for r in "${ROUTES[@]}"; do [[ ${r%%|*} =~ $ONLY ]] && selected+=("$r"); done
  ROUTES=("${selected[@]}")
  [ ${#ROUTES[@]} -gt 0 ] || fail "no route matches ONLY=$ONLY"
fi
for r in "${ROUTES[@]}"; do
  name=${r%%|*}; path=${r#*|}
  # One request first: checks the answer and puts the token in the cache.
  code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -H "X-Auth-Token: $TOKEN" "$BASE$path")
  [ "$code" = 200 ] || { head -c 500 "$WORK/answer.json" >&2; echo >&2; fail "GET $path answered $code"; }
  BYTES[$name]=$(stat -c %s "$WORK/answer.json")
  echo "api_bench: $name ($(uptime | sed 's/.*load average/load average/'))"
  cpu0=$(cpu_ticks)
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s --latency -s "$WORK/auth.lua" "$BASE$path" \
    > "$WORK/wrk.txt" 2>&1 || { cat "$WORK/wrk.txt" >&2; fail "wrk failed on $path"; }
  CPU[$name]=$(($(cpu_ticks) - cpu0))
  RESULT[$name]=$(grep '^CAIRN-RESULT' "$WORK/wrk.txt" | cut -d' ' -f2-)
  [ -n "${RESULT[$name]}" ] || { cat "$WORK/wrk.txt" >&2; fail "no result from wrk on $path"; }
done

# 6. The table.
echo
echo "cairn-api: $WORKLOADS workloads, $SNAPSHOTS snapshots (SQLite, pool_size $POOL_SIZE), workers $WORKERS;"
echo "machine: $(nproc) cores, load average $LOAD_BEFORE before the runs (cairn-api's busy workers add to it)"
echo "wrk: $CONNECTIONS connections, $THREADS threads, $DURATION per route; goal p99 <= $GOAL_P99_MS ms and 0 errors"
printf '\n%-28s %7s %8s %8s %8s %8s %8s %9s %8s %8s  %s\n' "route (GET /v1/<project>/)" "req/s" "p50 ms" "p99 ms" \
  "max ms" "non-2xx" "wrk 4xx+" "c/r/w/t" "bytes" "CPU ms" "goal"
all_met=1
for r in "${ROUTES[@]}"; do
  name=${r%%|*}
  read -r requests duration_us non2xx status connect read write timeout p50 p99 max <<<"${RESULT[$name]}"
  socket=$((connect + read + write + timeout))
  rps=$(awk "BEGIN{printf \"%.0f\", $requests / ($duration_us / 1e6)}")
  if awk "BEGIN{exit !($p99 <= $GOAL_P99_MS && $non2xx + $status + $socket == 0)}"; then met=met; else met="not met"; all_met=0; fi
  cpu_ms=$(awk "BEGIN{printf \"%.2f\", ${CPU[$name]} * 1000 / $TICK / ($requests > 0 ? $requests : 1)}")
  printf '%-28s %7s %8.1f %8.1f %8.1f %8s %8s %9s %8s %8s  %s\n' "$name" "$rps" "$p50" "$p99" "$max" "$non2xx" \
    "$status" "$connect/$read/$write/$timeout" "${BYTES[$name]}" "$cpu_ms" "$met"
done
echo
[ "$all_met" = 1 ] && echo "goal met on every route" || echo "goal not met on every route"
