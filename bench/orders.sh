#!/usr/bin/env bash
# Orders placed per second end to end, the same load against both modes in
# one run: wrk POSTs /api/v1/orders (each request with its own
# Idempotency-Key, one item, an approved test card) as one customer,
#   1. to `orderly serve` (embedded: one process on SQLite), then
#   2. through the gateway of `scripts/cluster up` (every service its own
#      process on PostgreSQL; orders reserves at the catalog and pays through
#      payments over their internal APIs),
# while the checkout sagas authorize and capture in the background. Reports
# per mode orders/s (201 answers), p50 and p99, and per order the SQL
# statements run (orderly_store_queries_total over every process) and the
# calls between services (orderly_rpc_calls_total; 0 in embedded mode), then
# how many placed orders the saga had paid (embedded).
#
#   bench/orders.sh                          # 10 s, 16 connections, both modes
#   DURATION=20 CONNECTIONS=32 MODES=embedded bench/orders.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
MODES=${MODES:-"embedded cluster"}
ORDERLY=${ORDERLY:-build/orderly}
ADMIN_PASSWORD=bench-admin-password-1

command -v wrk >/dev/null || { echo "orders: wrk is missing; run scripts/bootstrap" >&2; exit 1; }
command -v jq >/dev/null || { echo "orders: jq is missing; run scripts/bootstrap" >&2; exit 1; }
[[ -x $ORDERLY ]] || { echo "orders: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-orders-bench

# metric_sum NAME OPS_PORT...: the sum of every series of NAME over the processes.
metric_sum() {
  local name=$1 port total=0 value
  shift
  for port in "$@"; do
    value=$(curl -s -m 2 "http://127.0.0.1:$port/metrics" | awk -v n="$name" 'index($0, n "{") == 1 || $1 == n {s += $NF} END {printf "%.0f", s}')
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

# load MODE BASE_URL OPS_PORT...: the buyer, the product, the card, then the wrk run and the per-order costs.
load() {
  local mode=$1 base=$2
  shift 2
  api() {  # api METHOD PATH TOKEN BODY
    curl -sf -X "$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$4" "$base$2"
  }
  local admin product buyer card
  admin=$(api POST /api/v1/auth/login "" "{\"email\":\"admin@orderly.local\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .access_token)
  product=$(api POST /api/v1/products "$admin" \
    '{"sku":"BENCH-1","name":"Bench","description":"","price":{"amount":999,"currency":"USD"},"stock":1000000000}' | jq -r .id)
  api POST /api/v1/auth/signup "" '{"email":"buyer@example.com","password":"buyer-password-1","name":"Buyer"}' >/dev/null
  buyer=$(api POST /api/v1/auth/login "" '{"email":"buyer@example.com","password":"buyer-password-1"}' | jq -r .access_token)
  card=$(api POST /api/v1/payment-methods "$buyer" \
    '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2040,"cvc":"123"}}' | jq -r .id)

  cat >"$work/orders.lua" <<LUA
local body = '{"items":[{"product_id":"$product","quantity":1}],"payment_method_id":"$card",'
  .. '"shipping_address":{"name":"Buyer","line1":"1 Bench St","city":"Paris","postal_code":"75001","country":"FR"}}'
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  sent = 0
  created = 0
end
function request()
  sent = sent + 1
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer $buyer",
    ["Idempotency-Key"] = "bench-" .. id .. "-" .. sent,
  }, body)
end
function response(status)
  if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("created") end
  io.write(string.format("created=%d orders_per_s=%.1f latency_p50_ms=%.2f p99_ms=%.2f\n", total,
    total / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
  local statements_before calls_before output created statements calls
  statements_before=$(metric_sum orderly_store_queries_total "$@")
  calls_before=$(metric_sum orderly_rpc_calls_total "$@")
  echo "+ wrk -t2 -c$CONNECTIONS -d${DURATION}s --latency -s orders.lua $base/api/v1/orders ($mode)"
  output=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/orders.lua" "$base/api/v1/orders")
  grep -E "Non-2xx|Socket errors" <<<"$output" >&2 || true
  created=$(field created <<<"$output")
  # The sagas of the last orders finish before the costs are read (bounded, 30 s).
  for _ in $(seq 1 300); do
    curl -s -H "Authorization: Bearer $buyer" "$base/api/v1/orders?limit=100" | grep -q pending_payment || break
    sleep 0.1
  done
  statements=$(($(metric_sum orderly_store_queries_total "$@") - statements_before))
  calls=$(($(metric_sum orderly_rpc_calls_total "$@") - calls_before))
  awk -v m="$mode" -v line="$(grep created= <<<"$output")" -v c="${created:-0}" -v s="$statements" -v r="$calls" \
    'BEGIN { printf "%-9s %s sql_per_order=%.1f calls_between_services_per_order=%.1f\n", m, line, (c ? s / c : 0), (c ? r / c : 0) }'
}

echo "orders: ${DURATION}s, $CONNECTIONS connections, $(nproc) cores, modes: $MODES"
for mode in $MODES; do
  if [[ $mode == embedded ]]; then
    read -r port ops_port <<<"$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')"
    ORDERLY_ADMIN_PASSWORD=$ADMIN_PASSWORD "$ORDERLY" serve --listen "127.0.0.1:$port" --ops-listen "127.0.0.1:$ops_port" \
      --data-dir "$work/data" --set log.access_log=false --set catalog.seed_sample_products=false \
      >"$work/orderly.log" 2>&1 &
    serve_pid=$!
    bench_pids+=("$serve_pid")
    wait_port "$port"
    load embedded "http://127.0.0.1:$port" "$ops_port"
    statuses=$(sqlite3 "file:$work/data/orderly.db?mode=ro" "SELECT status || '=' || COUNT(*) FROM orders GROUP BY status" | tr '\n' ' ')
    echo "orders: embedded, by status after the run: ${statuses% }"
    kill "$serve_pid"
    wait "$serve_pid" 2>/dev/null || true
  else
    ORDERLY_ADMIN_PASSWORD=$ADMIN_PASSWORD ORDERLY_BINARY=$(realpath "$ORDERLY") ORDERLY_LOG_ACCESS_LOG=false \
      ORDERLY_AUTH_LOGIN_PER_ADDRESS=1000/1m scripts/cluster up --dir "$work/cluster" >"$work/cluster.log" 2>&1 ||
      { tail -n 20 "$work/cluster.log" >&2; exit 1; }
    trap 'scripts/cluster down --dir "$work/cluster" >/dev/null 2>&1 || true; bench_cleanup' EXIT
    gateway=$(sed -n 's/^ORDERLY_GATEWAY_URL=//p' "$work/cluster/cluster.env")
    ops_ports=$(cat "$work"/cluster/run/*.ops)
    # shellcheck disable=SC2086
    load cluster "$gateway" $ops_ports
    scripts/cluster down --dir "$work/cluster" >/dev/null 2>&1
  fi
done
