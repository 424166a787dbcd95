#!/usr/bin/env bash
# Orders placed per second end to end in embedded mode: wrk POSTs
# /api/v1/orders (each request with its own Idempotency-Key, one item, an
# approved test card) as one customer to `orderly serve` on SQLite, while the
# checkout sagas authorize and capture the orders in the background on the
# same database. Reports orders/s (201 answers), p50 and p99 latency, and how
# many of the placed orders the saga had paid by the end of the run.
#
#   bench/orders.sh                         # 10 s, 16 connections
#   DURATION=20 CONNECTIONS=32 bench/orders.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
ORDERLY=${ORDERLY:-build/orderly}
PORT=${PORT:-18591}
OPS_PORT=${OPS_PORT:-18592}
ADMIN_PASSWORD=bench-admin-password-1

command -v wrk >/dev/null || { echo "orders: wrk is missing; run scripts/bootstrap" >&2; exit 1; }
command -v jq >/dev/null || { echo "orders: jq is missing; run scripts/bootstrap" >&2; exit 1; }
[[ -x $ORDERLY ]] || { echo "orders: $ORDERLY not built; run make build" >&2; exit 1; }

bench_workdir orderly-orders-bench

ORDERLY_ADMIN_PASSWORD=$ADMIN_PASSWORD "$ORDERLY" serve --listen "127.0.0.1:$PORT" --ops-listen "127.0.0.1:$OPS_PORT" \
  --data-dir "$work/data" --set log.access_log=false --set catalog.seed_sample_products=false \
  >"$work/orderly.log" 2>&1 &
bench_pids+=($!)
wait_port "$PORT"

api() {  # api METHOD PATH TOKEN BODY
  curl -sf -X "$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$4" \
    "http://127.0.0.1:$PORT$2"
}
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

echo "orders: ${DURATION}s, $CONNECTIONS connections, embedded mode (SQLite), $(nproc) cores"
echo "+ wrk -t2 -c$CONNECTIONS -d${DURATION}s --latency -s orders.lua http://127.0.0.1:$PORT/api/v1/orders"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/orders.lua" "http://127.0.0.1:$PORT/api/v1/orders" \
  | tee "$work/wrk.txt" | grep -E "created=|Non-2xx|Socket errors"
# The sagas of the last orders: wait (bounded, 30 s) until none is left pending_payment.
orders_db="file:$work/data/orderly.db?mode=ro"
for _ in $(seq 1 300); do
  pending=$(sqlite3 "$orders_db" "SELECT COUNT(*) FROM orders WHERE status = 'pending_payment'")
  [[ $pending == 0 ]] && break
  sleep 0.1
done
[[ $pending == 0 ]] || echo "orders: $pending orders still pending_payment after 30 s" >&2
statuses=$(sqlite3 "$orders_db" "SELECT status || '=' || COUNT(*) FROM orders GROUP BY status" | tr '\n' ' ')
echo "orders: by status after the run: ${statuses% }"
