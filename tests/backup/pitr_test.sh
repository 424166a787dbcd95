#!/usr/bin/env bash
# Point-in-time recovery with pgBackRest on a real PostgreSQL 15, through the
# commands an operator runs. scripts/servers starts the primary (and its
# replicas) with WAL archiving, as `scripts/cluster up` does; `orderly serve`
# runs on it; `scripts/cluster backup` takes a full backup; orders are placed
# and paid over the API; the server's own clock is read after their commit;
# more orders; the WAL segment is switched and waited for in the repository;
# `scripts/cluster restore --to` that moment into a new folder on another
# port. The copy must hold exactly the first orders (and the stock they
# took), answer them over the API to their buyer once `orderly serve` runs on
# it, and archive nothing into the live repository. Everything it starts is
# stopped on exit, failed or not. Prints the figures it measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
readonly ROOT
readonly BINARY=${ORDERLY_BINARY:-$ROOT/build/orderly}
# shellcheck source=scripts/lib/pgbackrest.sh
source "$ROOT/scripts/lib/pgbackrest.sh"
# shellcheck source=tests/support/shop_api.sh
source "$ROOT/tests/support/shop_api.sh"

# Short: PostgreSQL's Unix socket path is at most 107 bytes.
WORK=$(mktemp -d /tmp/orderly-pitr-XXXXXX)
readonly WORK
chmod 711 "$WORK"  # PostgreSQL's own account works inside
readonly BASE=$WORK/servers/postgres RESTORED=$WORK/restored ADMIN_PASSWORD=pitr-admin-password-1
SERVE_PID=""
cleanup() {
  local rc=$?
  [[ -z $SERVE_PID ]] || kill "$SERVE_PID" 2>/dev/null || true
  [[ -z $SERVE_PID ]] || wait "$SERVE_PID" 2>/dev/null || true
  "$ROOT/scripts/cluster" restore --stop "$RESTORED" --dir "$WORK" 2>/dev/null || true
  "$ROOT/scripts/servers" stop "$WORK/servers" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

fail() { echo "pitr_test: FAIL: $*" >&2; exit 1; }
elapsed() { LC_ALL=C awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
sql() { pgbackrest_psql "$1" "$2" orderly; }

# serve_on PG_PORT: `orderly serve` (every service in one process) on that
# PostgreSQL, its keys in WORK/serve; sets SERVE_PID and SHOP_API.
serve_on() {
  local ports i
  read -r -a ports < <(python3 -c '
import socket
held = [socket.socket() for _ in range(2)]
for s in held: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))')
  ORDERLY_ADMIN_PASSWORD=$ADMIN_PASSWORD "$BINARY" serve --listen "127.0.0.1:${ports[0]}" \
    --ops-listen "127.0.0.1:${ports[1]}" --data-dir "$WORK/serve" --threads 2 --set store.driver=postgres \
    --set "store.postgres_primary=postgresql://orderly@127.0.0.1:$1/orderly" \
    --set orders.saga_backoff_base=50ms >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  for ((i = 0; i < 300; i++)); do
    curl -fsS -m 1 -o /dev/null "http://127.0.0.1:${ports[1]}/readyz" 2>/dev/null && break
    kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 20 "$WORK/serve.log" >&2; fail "orderly serve exited"; }
    sleep 0.1
  done
  SHOP_API=http://127.0.0.1:${ports[0]}/api/v1
}

stop_serving() {
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || fail "orderly serve did not stop cleanly"
  SERVE_PID=""
}

t0=$EPOCHREALTIME
ORDERLY_PG_ARCHIVE=pgbackrest "$ROOT/scripts/servers" start "$WORK/servers" postgres 2>"$WORK/servers.log" ||
  { cat "$WORK/servers.log" >&2; fail "servers did not start"; }
port=$(cat "$WORK/servers/run/pg-primary.port")
echo "pitr_test: PostgreSQL with archiving up in $(elapsed "$t0") s"

serve_on "$port"
admin=$(shop_login admin@orderly.local "$ADMIN_PASSWORD")
product=$(shop_product "$admin" PITR-1 1500 100)
buyer=$(shop_buyer pitr-buyer@example.com customer-password-1)
card=$(shop_card "$buyer")

t0=$EPOCHREALTIME
"$ROOT/scripts/cluster" backup --type full --dir "$WORK" >"$WORK/backup.out" 2>&1 || { cat "$WORK/backup.out" >&2; fail "backup"; }
backup_seconds=$(elapsed "$t0")
# pgBackRest picks the backup for a time target by whole seconds (a stop time
# strictly before the target's second): the moment must fall in a later second
# than the backup's end, which on an idle machine the orders alone may not take.
backup_second=$(sql "$port" "select floor(extract(epoch from clock_timestamp()))")

first=()
for ((n = 1; n <= 5; n++)); do first+=("$(shop_order "$buyer" "$product" 2 "$card" "first-$n")"); done
for id in "${first[@]}"; do shop_wait_paid "$buyer" "$id"; done
for ((i = 0; i < 30; i++)); do
  (($(sql "$port" "select floor(extract(epoch from clock_timestamp()))") > backup_second)) && break
  sleep 0.1
done
# The moment to restore to, on the database server's clock, after the first orders committed.
target=$(sql "$port" "select clock_timestamp()")
later=()
for ((n = 1; n <= 3; n++)); do later+=("$(shop_order "$buyer" "$product" 1 "$card" "later-$n")"); done
for id in "${later[@]}"; do shop_wait_paid "$buyer" "$id"; done
[[ $(sql "$port" "select count(*) from orders") == 8 ]] || fail "the live database does not hold the 8 orders"

t0=$EPOCHREALTIME
segment=$(pgbackrest_wait_archived "$BASE" "$port")
archive_seconds=$(elapsed "$t0")
# As in a real recovery: the services stop, the copy is made, they start on it.
stop_serving

t0=$EPOCHREALTIME
"$ROOT/scripts/cluster" restore --to "$target" "$RESTORED" --dir "$WORK" >"$WORK/restore.out" 2>"$WORK/restore.err" ||
  { cat "$WORK/restore.err" >&2; fail "restore"; }
restore_seconds=$(elapsed "$t0")
restored_port=$(tail -n 1 "$WORK/restore.out")
[[ $restored_port != "$port" ]] || fail "the copy runs on the live port"

expected=$(printf '%s\n' "${first[@]}" | sort)
got=$(sql "$restored_port" "select id from orders order by id")
[[ $got == "$expected" ]] || fail "the copy restored to $target holds orders [$got], not exactly the first five [$expected]"
[[ $(sql "$restored_port" "select stock from products where id = '$product'") == 90 ]] ||
  fail "the copy's stock is not that of the moment (100 - 5 x 2)"
[[ $(sql "$restored_port" "select pg_is_in_recovery()") == f ]] || fail "the copy was not promoted"
[[ $(sql "$restored_port" "show archive_mode") == off ]] || fail "the copy archives"

# The platform on the copy: the buyer logs in and reads exactly the first orders.
serve_on "$restored_port"
buyer=$(shop_login pitr-buyer@example.com customer-password-1)
listed=$(shop_call GET /orders "$buyer" | jq -r '.items[].id' | sort)
[[ $listed == "$expected" ]] || fail "GET /orders on the copy lists [$listed], not the first five"
for id in "${later[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -H "Authorization: Bearer $buyer" "$SHOP_API/orders/$id")
  [[ $code == 404 ]] || fail "order $id, placed after the moment, answers $code on the copy"
done
# A write on the copy (its own new timeline) must not reach the live repository.
shop_wait_paid "$buyer" "$(shop_order "$buyer" "$product" 1 "$card" after-restore)"
stop_serving
sql "$restored_port" "select pg_switch_wal()" >/dev/null
if find "$BASE/pgbackrest/repo/archive" -name '00000002*' | grep -q .; then
  fail "the restored copy pushed WAL into the live repository"
fi
# The live server is untouched; an incremental backup follows the full one.
[[ $(sql "$port" "select count(*) from orders") == 8 ]] || fail "the live server lost orders"
"$ROOT/scripts/cluster" backup --dir "$WORK" >"$WORK/incr.out" 2>&1 || { cat "$WORK/incr.out" >&2; fail "incremental backup"; }
grep -q 'incr backup' "$WORK/incr.out" || fail "no incremental backup listed: $(cat "$WORK/incr.out")"

cluster_bytes=$(sql "$port" "select sum(pg_database_size(datname)) from pg_database")
repo_bytes=$(du -sb "$BASE/pgbackrest/repo/backup" | cut -f1)
archive_bytes=$(du -sb "$BASE/pgbackrest/repo/archive" | cut -f1)
echo "pitr_test: full backup ${backup_seconds} s; in the repository: backups ${repo_bytes} bytes, WAL archive ${archive_bytes} bytes (databases ${cluster_bytes} bytes)"
echo "pitr_test: switch + archive of segment $segment: ${archive_seconds} s (RPO: commits after the last archived segment)"
echo "pitr_test: restore to $target, recovery and promotion: ${restore_seconds} s (RTO, before the services start)"
echo "pitr_test: PASS: exactly the first 5 of 8 orders, read over the API; the copy on 127.0.0.1:$restored_port archives nothing"
