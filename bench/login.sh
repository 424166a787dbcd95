#!/usr/bin/env bash
# Logins per second and login latency at the default Argon2id parameters
# (m=19456 KiB, t=2, p=1): wrk POSTs the right password for one account to
# /api/v1/auth/login on the embedded server. The login limits are raised for
# the run (a benchmark is one address hammering one account, exactly what
# they exist to stop); everything else is the default, including
# auth.hash_threads=2 and auth.hash_queue=64, so with more connections than
# threads + queue the excess is shed as 503 (counted below).
#
#   bench/login.sh                         # 10 s, 8 connections
#   DURATION=20 CONNECTIONS=32 bench/login.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8}
ORDERLY=${ORDERLY:-build/orderly}
# Free ports unless given: a fixed default could be a leftover server's.
read -r free_port free_ops_port < <(free_ports 2)
PORT=${PORT:-$free_port}
OPS_PORT=${OPS_PORT:-$free_ops_port}

command -v wrk >/dev/null || { echo "login: wrk is missing; run scripts/bootstrap" >&2; exit 1; }
[[ -x $ORDERLY ]] || { echo "login: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-login-bench

"$ORDERLY" serve --listen "127.0.0.1:$PORT" --ops-listen "127.0.0.1:$OPS_PORT" --data-dir "$work/data" \
  --set log.access_log=false --set auth.seed_admin=false \
  --set auth.login_per_address=1000000000/1m --set auth.login_per_account_and_address=1000000000/1m \
  --set auth.login_per_account=1000000000/1m >"$work/orderly.log" 2>&1 &
bench_pids+=($!)
wait_listener "$!" "$PORT"
wait_listener "$!" "$OPS_PORT"

body='{"email":"bench@example.com","password":"correct horse battery","name":"Bench"}'
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/v1/auth/signup"

cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"correct horse battery"}'
local statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency)
  io.write(string.format("latency_p50_ms=%.1f p99_ms=%.1f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

echo "login: ${DURATION}s, $CONNECTIONS connections, 2 hash threads, Argon2id m=19456 t=2 p=1 ($(nproc) cores)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/login.lua" "http://127.0.0.1:$PORT/api/v1/auth/login" \
  | tee "$work/wrk.txt" | grep -E "Requests/sec|latency_p50|Non-2xx|99%"
metrics=$(curl -s "http://127.0.0.1:$OPS_PORT/metrics")
success=$(awk '/^orderly_auth_logins_total\{outcome="success"\}/ {print $2}' <<<"$metrics")
shed=$(awk '/^orderly_auth_logins_total\{outcome="shed"\}/ {print $2}' <<<"$metrics")
echo "login: successful logins ${success:-0}, shed with 503 ${shed:-0}; logins/s = $(awk -v s="${success:-0}" -v d="$DURATION" 'BEGIN{printf "%.1f", s/d}')"
