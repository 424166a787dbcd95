#!/usr/bin/env bash
# Product reads served from the cache: wrk against GET /api/v1/products/{id}
# (one seeded product, so every request after the first is a cache hit in
# the in-process cache) and against /healthz on the same server, alternating
# rounds so both see the same machine noise. Prints requests/s and p99 per
# round, the medians, and the ratio product/healthz: what a cached product
# read costs beyond the bare HTTP path (a cache lookup, a copy of the JSON,
# the ETag). Access log off on both sides.
#
#   bench/catalog.sh                       # 3 rounds of 10 s per side, 64 connections
#   ROUNDS=1 DURATION=5 bench/catalog.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
ORDERLY=${ORDERLY:-build/orderly}
PORT=${PORT:-18491}
OPS_PORT=${OPS_PORT:-18492}

command -v wrk >/dev/null || { echo "catalog: wrk is missing; run scripts/bootstrap" >&2; exit 1; }
command -v curl >/dev/null || { echo "catalog: curl is missing; run scripts/bootstrap" >&2; exit 1; }
[[ -x $ORDERLY ]] || { echo "catalog: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-catalog-bench
orderly_pid=""
stop_orderly() { [[ -z $orderly_pid ]] || { kill -TERM "$orderly_pid" 2>/dev/null || true; wait "$orderly_pid" || true; }; }
trap 'stop_orderly; bench_cleanup' EXIT

"$ORDERLY" serve --listen "127.0.0.1:$PORT" --ops-listen "127.0.0.1:$OPS_PORT" --data-dir "$work/data" \
  --threads "$THREADS" --set log.access_log=false >"$work/orderly.log" 2>&1 &
orderly_pid=$!
wait_port "$PORT"

# A seeded product (the samples are there on a fresh data folder).
product_id=$(curl -sf "http://127.0.0.1:$PORT/api/v1/products?limit=1" | sed -n 's/.*"items":\[{"id":"\([0-9a-f]*\)".*/\1/p')
[[ -n $product_id ]] || { echo "catalog: no seeded product to read" >&2; exit 1; }
product_url="http://127.0.0.1:$PORT/api/v1/products/$product_id"
curl -sf -o /dev/null "$product_url"  # the first read fills the cache

echo "catalog: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds, $THREADS server threads, $(nproc) cores"
printf '%-7s %-28s %12s %10s\n' round target requests/s p99_ms
declare -a health_rps health_p99 product_rps product_p99
for round in $(seq 1 "$ROUNDS"); do
  read -r rps p99 < <(measure "http://127.0.0.1:$PORT/healthz")
  health_rps+=("$rps"); health_p99+=("$p99")
  printf '%-7s %-28s %12s %10s\n' "$round" "/healthz" "$rps" "$p99"
  read -r rps p99 < <(measure "$product_url")
  product_rps+=("$rps"); product_p99+=("$p99")
  printf '%-7s %-28s %12s %10s\n' "$round" "GET /api/v1/products/{id}" "$rps" "$p99"
done

m_health=$(printf '%s\n' "${health_rps[@]}" | median)
m_product=$(printf '%s\n' "${product_rps[@]}" | median)
hits=$(curl -sf "http://127.0.0.1:$OPS_PORT/metrics" | awk '/^orderly_cache_hits_total\{cache="catalog"\}/ {print $2}')
misses=$(curl -sf "http://127.0.0.1:$OPS_PORT/metrics" | awk '/^orderly_cache_misses_total\{cache="catalog"\}/ {print $2}')
echo
echo "medians over $ROUNDS rounds:"
printf '  %-28s %10.0f req/s  p99 %s ms\n' "/healthz" "$m_health" "$(printf '%s\n' "${health_p99[@]}" | median)"
printf '  %-28s %10.0f req/s  p99 %s ms\n' "GET /api/v1/products/{id}" "$m_product" "$(printf '%s\n' "${product_p99[@]}" | median)"
awk -v p="$m_product" -v h="$m_health" 'BEGIN {printf "  ratio product/healthz: %.2fx\n", p / h}'
echo "  catalog cache: ${hits:-?} hits, ${misses:-?} misses"
