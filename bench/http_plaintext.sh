#!/usr/bin/env bash
# Plaintext HTTP: wrk against orderly's /healthz and against nginx answering
# `return 200` with the same body, in one run, alternating rounds so both see
# the same machine noise. Prints requests/s and p99 per round, the medians,
# and the ratio orderly/nginx. Also orderly's resident memory idle and after.
#
#   bench/http_plaintext.sh                 # 3 rounds of 10 s, 64 connections
#   ROUNDS=5 DURATION=20 CONNECTIONS=128 bench/http_plaintext.sh
#
# nginx gets as many worker processes as orderly has threads, access log off.
# orderly runs twice per round: access log off (the like-for-like comparison)
# and on (its default).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
ORDERLY=${ORDERLY:-build/orderly}
NGINX_PORT=${NGINX_PORT:-18480}
ORDERLY_PORT=${ORDERLY_PORT:-18481}
ORDERLY_OPS_PORT=${ORDERLY_OPS_PORT:-18482}

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "http_plaintext: $tool is missing; run scripts/bootstrap" >&2; exit 1; }
done
[[ -x $ORDERLY ]] || { echo "http_plaintext: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-bench

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# nginx, configured like orderly: same workers, no access log, keep-alive.
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes $THREADS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
bench_pids+=($!)
wait_port "$NGINX_PORT"

start_orderly() {
  "$ORDERLY" serve --listen "127.0.0.1:$ORDERLY_PORT" --ops-listen "127.0.0.1:$ORDERLY_OPS_PORT" \
    --data-dir "$work/data" --threads "$THREADS" --set "log.access_log=$1" >"$work/orderly-$1.log" 2>&1 &
  orderly_pid=$!
  bench_pids+=("$orderly_pid")
  wait_port "$ORDERLY_PORT"
}
stop_orderly() {
  kill -TERM "$orderly_pid"
  wait "$orderly_pid" || true
}

echo "http_plaintext: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds, $THREADS server threads/workers, $(nproc) cores"
printf '%-7s %-22s %12s %10s\n' round server requests/s p99_ms
declare -a nginx_rps nginx_p99 quiet_rps quiet_p99 logged_rps logged_p99
idle_rss=""
after_rss=""
for round in $(seq 1 "$ROUNDS"); do
  read -r rps p99 < <(measure "http://127.0.0.1:$NGINX_PORT/healthz")
  nginx_rps+=("$rps"); nginx_p99+=("$p99")
  printf '%-7s %-22s %12s %10s\n' "$round" "nginx" "$rps" "$p99"

  start_orderly false
  [[ -n $idle_rss ]] || idle_rss=$(rss_kib "$orderly_pid")
  read -r rps p99 < <(measure "http://127.0.0.1:$ORDERLY_PORT/healthz")
  after_rss=$(rss_kib "$orderly_pid")
  stop_orderly
  quiet_rps+=("$rps"); quiet_p99+=("$p99")
  printf '%-7s %-22s %12s %10s\n' "$round" "orderly (access log off)" "$rps" "$p99"

  start_orderly true
  read -r rps p99 < <(measure "http://127.0.0.1:$ORDERLY_PORT/healthz")
  stop_orderly
  logged_rps+=("$rps"); logged_p99+=("$p99")
  printf '%-7s %-22s %12s %10s\n' "$round" "orderly (access log on)" "$rps" "$p99"
done

m_nginx=$(printf '%s\n' "${nginx_rps[@]}" | median)
m_quiet=$(printf '%s\n' "${quiet_rps[@]}" | median)
m_logged=$(printf '%s\n' "${logged_rps[@]}" | median)
echo
echo "medians over $ROUNDS rounds:"
printf '  %-26s %10.0f req/s  p99 %s ms\n' nginx "$m_nginx" "$(printf '%s\n' "${nginx_p99[@]}" | median)"
printf '  %-26s %10.0f req/s  p99 %s ms\n' "orderly, access log off" "$m_quiet" "$(printf '%s\n' "${quiet_p99[@]}" | median)"
printf '  %-26s %10.0f req/s  p99 %s ms\n' "orderly, access log on" "$m_logged" "$(printf '%s\n' "${logged_p99[@]}" | median)"
awk -v o="$m_quiet" -v n="$m_nginx" 'BEGIN {printf "  ratio orderly/nginx (access log off both): %.2fx (target >= 0.90x)\n", o / n}'
awk -v o="$m_logged" -v n="$m_nginx" 'BEGIN {printf "  ratio orderly/nginx (orderly logging every request): %.2fx\n", o / n}'
echo "  orderly resident memory: idle ${idle_rss} KiB, after a run ${after_rss} KiB"
