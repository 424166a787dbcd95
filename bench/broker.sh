#!/usr/bin/env bash
# Messages per second through each broker, publish to ack: orderly_broker_bench
# against the embedded broker (SQLite file, fresh) and RabbitMQ (one node from
# scripts/servers in a temporary folder, stopped at exit). Each publish is
# awaited (RabbitMQ: confirmed); consumers receive in batches and ack.
#
#   bench/broker.sh                                  # 5000 messages, 2 publishers, 2 consumers
#   MESSAGES=20000 PUBLISHERS=4 CONSUMERS=4 bench/broker.sh
#
# Builds nothing: expects build/release (make build).
set -euo pipefail
cd "$(dirname "$0")/.."

MESSAGES=${MESSAGES:-5000}
PUBLISHERS=${PUBLISHERS:-2}
CONSUMERS=${CONSUMERS:-2}
BENCH=${BENCH:-build/release/bench/orderly_broker_bench}
# Bound for each run (the bench's own timeout is this minus a margin).
RUN_SECONDS=${RUN_SECONDS:-180}

[[ -x $BENCH ]] || { echo "broker: $BENCH not built; run make build" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_workdir orderly-broker-bench

bench() {
  run timeout "$RUN_SECONDS" "$BENCH" "$@" --messages "$MESSAGES" --publishers "$PUBLISHERS" \
    --consumers "$CONSUMERS" --timeout "$((RUN_SECONDS - 30))"
}

echo "broker: $MESSAGES messages, $PUBLISHERS publishers, $CONSUMERS consumers, $(nproc) cores"

# --- embedded ---------------------------------------------------------------------
out=$(bench --broker embedded --path "$work/embedded.db")
echo "  $out"
# shellcheck disable=SC2034  # read through ${!name} in the summary
embedded=$out

# --- RabbitMQ ---------------------------------------------------------------------
# The node is named after $work/servers, so another folder's node is no obstacle.
servers_started=true  # a start cut short may leave a node behind: stop covers it
if ! run timeout 180 scripts/servers start "$work/servers" rabbitmq >"$work/start.log" 2>&1; then
  cat "$work/start.log" >&2
  echo "broker: could not start RabbitMQ" >&2
  exit 1
fi
uri=$(sed -n 's/^export ORDERLY_TEST_AMQP=//p; s/^ORDERLY_TEST_AMQP=//p' "$work/servers/env" | tr -d "'\"")
[[ -n $uri ]] || { echo "broker: no ORDERLY_TEST_AMQP in $work/servers/env" >&2; exit 1; }
out=$(bench --broker rabbitmq --uri "$uri")
echo "  $out"
# shellcheck disable=SC2034  # read through ${!name} in the summary
rabbitmq=$out

# --- Summary --------------------------------------------------------------------
echo
printf '%-10s %10s %12s %14s\n' broker messages msgs_per_s publish_per_s
for name in embedded rabbitmq; do
  line=${!name}
  printf '%-10s %10s %12s %14s\n' "$name" "$(field messages <<<"$line")" "$(field msgs_per_s <<<"$line")" \
    "$(field publish_per_s <<<"$line")"
done
echo "(msgs_per_s: first publish to last ack; publish_per_s: the publish phase, each publish awaited/confirmed)"
