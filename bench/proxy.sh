#!/usr/bin/env bash
# Reverse proxies side by side: wrk against one upstream (nginx answering
# `return 200`), directly and through the orderly gateway, nginx proxy_pass
# (keep-alive upstream connections) and HAProxy (http-reuse always), in one
# run, alternating rounds so all see the same machine noise. Every proxy gets
# the same number of workers/threads; access logs are off everywhere. Prints
# requests/s and p99 per round, the medians and the ratios to nginx.
#
#   bench/proxy.sh                          # 1 round of 5 s per target, 64 connections
#   ROUNDS=3 DURATION=10 CONNECTIONS=128 bench/proxy.sh
#
# On a 2-core machine wrk, the proxy and the upstream share the cores: the
# figures compare the proxies with each other, not with a real deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-1}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}            # proxy threads / worker processes, the same for each
UPSTREAM_WORKERS=${UPSTREAM_WORKERS:-1}
WRK_THREADS=${WRK_THREADS:-2}
ORDERLY=${ORDERLY:-build/orderly}
# Free ports unless given: a fixed default could be a leftover server's.
read -r free_upstream free_gateway free_gateway_ops free_nginx free_haproxy < <(free_ports 5)
UPSTREAM_PORT=${UPSTREAM_PORT:-$free_upstream}
GATEWAY_PORT=${GATEWAY_PORT:-$free_gateway}
GATEWAY_OPS_PORT=${GATEWAY_OPS_PORT:-$free_gateway_ops}
NGINX_PROXY_PORT=${NGINX_PROXY_PORT:-$free_nginx}
HAPROXY_PORT=${HAPROXY_PORT:-$free_haproxy}

for tool in wrk nginx haproxy; do
  command -v "$tool" >/dev/null || { echo "proxy: $tool is missing; run scripts/bootstrap" >&2; exit 1; }
done
[[ -x $ORDERLY ]] || { echo "proxy: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-proxy-bench

nginx_common() {
  cat <<NGINX
daemon off;
error_log $1/error.log warn;
pid $1/nginx.pid;
events { worker_connections 4096; }
NGINX
}
nginx_temp_paths() {
  cat <<NGINX
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
NGINX
}

# The upstream: nginx answering `return 200`.
mkdir -p "$work/upstream" "$work/nginx-proxy" "$work/haproxy"
{
  echo "worker_processes $UPSTREAM_WORKERS;"
  nginx_common "$work/upstream"
  echo "http {"
  nginx_temp_paths "$work/upstream"
  echo "  server { listen 127.0.0.1:$UPSTREAM_PORT reuseport;"
  echo "    location / { default_type application/json; return 200 '{\"status\":\"ok\"}'; } }"
  echo "}"
} >"$work/upstream/nginx.conf"
nginx -c "$work/upstream/nginx.conf" -p "$work/upstream" &
bench_pids+=($!)
upstream_pid=$!

# nginx as a reverse proxy with kept-alive upstream connections.
{
  echo "worker_processes $THREADS;"
  nginx_common "$work/nginx-proxy"
  echo "http {"
  nginx_temp_paths "$work/nginx-proxy"
  echo "  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; keepalive_requests 1000000; }"
  echo "  server { listen 127.0.0.1:$NGINX_PROXY_PORT reuseport;"
  echo "    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  echo "}"
} >"$work/nginx-proxy/nginx.conf"
nginx -c "$work/nginx-proxy/nginx.conf" -p "$work/nginx-proxy" &
bench_pids+=($!)
nginx_proxy_pid=$!

# HAProxy in HTTP mode, reusing server connections.
cat >"$work/haproxy/haproxy.cfg" <<HAPROXY
global
  nbthread $THREADS
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend web
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend app
backend app
  server s1 127.0.0.1:$UPSTREAM_PORT
HAPROXY
haproxy -f "$work/haproxy/haproxy.cfg" -db >"$work/haproxy/haproxy.log" 2>&1 &
bench_pids+=($!)
haproxy_pid=$!

# The orderly gateway: same threads, access log off, health checks on.
cat >"$work/gateway.yaml" <<GATEWAY
listeners: [{address: 127.0.0.1:$GATEWAY_PORT}]
ops_listen: 127.0.0.1:$GATEWAY_OPS_PORT
threads: $THREADS
upstreams:
  app:
    instances: [127.0.0.1:$UPSTREAM_PORT]
routes:
  - {match: {prefix: /}, upstream: app}
GATEWAY
"$ORDERLY" gateway --config "$work/gateway.yaml" --set log.access_log=false >"$work/gateway.log" 2>&1 &
bench_pids+=($!)
gateway_pid=$!

# Each port must be held by the process started for it (the nginx master
# holds its listening sockets), not by a leftover from an earlier run.
wait_listener "$upstream_pid" "$UPSTREAM_PORT"
wait_listener "$nginx_proxy_pid" "$NGINX_PROXY_PORT"
wait_listener "$haproxy_pid" "$HAPROXY_PORT"
wait_listener "$gateway_pid" "$GATEWAY_PORT"
wait_listener "$gateway_pid" "$GATEWAY_OPS_PORT"

targets=(direct orderly nginx haproxy)
declare -A url=(
  [direct]="http://127.0.0.1:$UPSTREAM_PORT/healthz"
  [orderly]="http://127.0.0.1:$GATEWAY_PORT/healthz/x"
  [nginx]="http://127.0.0.1:$NGINX_PROXY_PORT/healthz"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/healthz"
)
declare -A all_rps all_p99
echo "proxy: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s), $THREADS proxy threads/workers, upstream nginx with $UPSTREAM_WORKERS worker(s), $(nproc) cores"
printf '%-7s %-10s %12s %10s\n' round target requests/s p99_ms
for round in $(seq 1 "$ROUNDS"); do
  for target in "${targets[@]}"; do
    read -r rps p99 < <(measure "${url[$target]}")
    all_rps[$target]+="$rps "
    all_p99[$target]+="$p99 "
    printf '%-7s %-10s %12s %10s\n' "$round" "$target" "$rps" "$p99"
  done
done

echo
echo "medians over $ROUNDS round(s):"
declare -A m_rps m_p99
for target in "${targets[@]}"; do
  m_rps[$target]=$(tr ' ' '\n' <<<"${all_rps[$target]}" | grep . | median)
  m_p99[$target]=$(tr ' ' '\n' <<<"${all_p99[$target]}" | grep . | median)
  printf '  %-10s %10.0f req/s  p99 %s ms\n' "$target" "${m_rps[$target]}" "${m_p99[$target]}"
done
for target in orderly haproxy; do
  awk -v a="${m_rps[$target]}" -v b="${m_rps[nginx]}" -v pa="${m_p99[$target]}" -v pb="${m_p99[nginx]}" -v t="$target" \
    'BEGIN {printf "  ratio %s/nginx: %.2fx requests/s, p99 %.2fx\n", t, a / b, pa / pb}'
done
awk -v a="${m_rps[orderly]}" -v b="${m_rps[direct]}" 'BEGIN {printf "  orderly gateway keeps %.0f%% of the direct requests/s\n", 100 * a / b}'
