#!/usr/bin/env bash
# The order-shaped write transaction (one order, three items, one outbox row),
# side by side in one run:
#   SQLite:     orderly's Store (orderly_store_bench) against the sqlite3 shell
#               running the same SQL, both WAL + synchronous=FULL, a fresh file each;
#   PostgreSQL: orderly's Store against pgbench running the same statements as
#               a custom script (prepared), same client count and duration,
#               against the same server (scripts/servers; tables emptied before each side).
# Prints transactions per second for each and the ratios orderly/raw.
#
#   bench/store.sh                          # 4 clients, 10 s per run
#   CLIENTS=8 SECONDS_PER_RUN=20 bench/store.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-4}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
BENCH=${BENCH:-build/release/bench/orderly_store_bench}
PG_BIN=/usr/lib/postgresql/15/bin
# Bound for each timed run: its duration plus this margin.
MARGIN=${MARGIN:-60}

for tool in sqlite3 psql "$PG_BIN/pgbench"; do
  command -v "$tool" >/dev/null || { echo "store: $tool is missing; run scripts/bootstrap" >&2; exit 1; }
done
[[ -x $BENCH ]] || { echo "store: $BENCH not built; run make build" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_workdir orderly-store-bench

bounded() { timeout "$((SECONDS_PER_RUN + MARGIN))" "$@"; }
now() { date +%s.%N; }

echo "store: $CLIENTS clients, ${SECONDS_PER_RUN} s per timed run, $(nproc) cores"

# --- SQLite -----------------------------------------------------------------
# (a) orderly's Store.
out=$(run bounded "$BENCH" --driver sqlite --path "$work/orderly.db" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN")
echo "  $out"
orderly_sqlite_tps=$(field tps <<<"$out")
count=$(field transactions <<<"$out")
((count >= 200)) || count=200

# (b) the sqlite3 shell: the same schema and statements as literal SQL, one
# process, BEGIN IMMEDIATE ... COMMIT per order, as many orders as orderly did.
# Ids from two rand() calls: one has only 2^31 values in mawk.
"$BENCH" --driver sqlite --print-schema >"$work/schema-sqlite.sql"
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
  awk -v n="$count" 'BEGIN {
    srand();
    for (i = 0; i < n; i++) {
      id = sprintf("%.0f", int(rand() * 1e7) * 1e8 + int(rand() * 1e8) + 1); customer = sprintf("%.0f", int(rand() * 100000) + 1);
      print "BEGIN IMMEDIATE;";
      printf "INSERT INTO bench_orders (id, customer, status, total_cents, created_at) VALUES (%s, %s, '\''placed'\'', 14000, '\''2026-11-21T00:00:00Z'\'');\n", id, customer;
      for (line = 1; line <= 3; line++)
        printf "INSERT INTO bench_order_items (order_id, line, sku, quantity, price_cents) VALUES (%s, %d, '\''SKU-%d'\'', %d, %d);\n", id, line, line, line, 1000 * line;
      printf "INSERT INTO bench_outbox (id, queue, type, schema_version, payload, created_at) VALUES ('\''%s'\'', '\''orders'\'', '\''order.placed'\'', 1, '\''{\"order_id\":%s,\"total_cents\":14000}'\'', '\''2026-11-21T00:00:00Z'\'');\n", id, id;
      print "COMMIT;";
    }
  }'
} >"$work/orders-sqlite.sql"
sqlite3 "$work/raw.db" <"$work/schema-sqlite.sql"
echo "+ sqlite3 $work/raw.db < orders-sqlite.sql   # $count transactions" >&2
start=$(now)
bounded sqlite3 -bail "$work/raw.db" <"$work/orders-sqlite.sql" >/dev/null
end=$(now)
raw_sqlite_tps=$(awk -v n="$count" -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", n / (b - a)}')
rows=$(sqlite3 "$work/raw.db" "SELECT count(*) FROM bench_orders;")
echo "  transactions=$rows seconds=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}') tps=$raw_sqlite_tps"
[[ $rows == "$count" ]] || { echo "store: sqlite3 committed $rows of $count orders" >&2; exit 1; }

# --- PostgreSQL ---------------------------------------------------------------
run timeout 180 scripts/servers start "$work/servers" postgres >/dev/null
servers_started=true
uri=$(sed -n 's/^export ORDERLY_TEST_PG_PRIMARY=//p; s/^ORDERLY_TEST_PG_PRIMARY=//p' "$work/servers/env" | tr -d "'\"")
[[ -n $uri ]] || { echo "store: no ORDERLY_TEST_PG_PRIMARY in $work/servers/env" >&2; exit 1; }
"$BENCH" --driver postgres --print-schema | timeout 60 psql -q -v ON_ERROR_STOP=1 "$uri" >/dev/null
empty_tables() { timeout 60 psql -q -v ON_ERROR_STOP=1 "$uri" -c "TRUNCATE bench_orders, bench_order_items, bench_outbox;" >/dev/null; }

# (c) orderly's Store.
empty_tables
out=$(run bounded "$BENCH" --driver postgres --uri "$uri" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN")
echo "  $out"
orderly_pg_tps=$(field tps <<<"$out")

# (d) pgbench: the same statements as a custom script, prepared like orderly's.
cat >"$work/order.sql" <<'SQL'
\set id random(1, 1000000000000000)
\set customer random(1, 100000)
BEGIN;
INSERT INTO bench_orders (id, customer, status, total_cents, created_at) VALUES (:id, :customer, 'placed', 14000, '2026-11-21T00:00:00Z');
INSERT INTO bench_order_items (order_id, line, sku, quantity, price_cents) VALUES (:id, 1, 'SKU-1', 1, 1000);
INSERT INTO bench_order_items (order_id, line, sku, quantity, price_cents) VALUES (:id, 2, 'SKU-2', 2, 2000);
INSERT INTO bench_order_items (order_id, line, sku, quantity, price_cents) VALUES (:id, 3, 'SKU-3', 3, 3000);
INSERT INTO bench_outbox (id, queue, type, schema_version, payload, created_at) VALUES (:id::text, 'orders', 'order.placed', 1, '{"order_id":' || :id::text || ',"total_cents":14000}', '2026-11-21T00:00:00Z');
COMMIT;
SQL
empty_tables
threads=$((CLIENTS < 2 ? CLIENTS : 2))
out=$(run bounded "$PG_BIN/pgbench" -n -M prepared -f "$work/order.sql" -c "$CLIENTS" -j "$threads" -T "$SECONDS_PER_RUN" "$uri" 2>&1) || {
  echo "$out" >&2; exit 1; }
raw_pg_tps=$(awk '/^tps = / {printf "%.1f", $3}' <<<"$out")
echo "  $(grep -E '^(number of transactions actually processed|number of failed|tps)' <<<"$out" | paste -sd ' ')"

# --- Summary --------------------------------------------------------------------
echo
printf '%-12s %14s %14s %10s %8s\n' store orderly_tps raw_tps ratio target
awk -v o="$orderly_sqlite_tps" -v r="$raw_sqlite_tps" 'BEGIN {printf "%-12s %14.1f %14.1f %9.2fx %7s\n", "sqlite", o, r, o / r, ">=0.70x"}'
awk -v o="$orderly_pg_tps" -v r="$raw_pg_tps" 'BEGIN {printf "%-12s %14.1f %14.1f %9.2fx %7s\n", "postgres", o, r, o / r, ">=0.70x"}'
echo "(raw: sqlite3 shell, $count transactions, one process; pgbench -M prepared -c $CLIENTS -j $threads -T $SECONDS_PER_RUN)"
