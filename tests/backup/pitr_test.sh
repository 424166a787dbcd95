#!/usr/bin/env bash
# Point-in-time recovery with pgBackRest on a real PostgreSQL 15, through the
# commands an operator runs: scripts/servers starts the primary (and its
# replicas) with WAL archiving as `scripts/cluster up` does, `scripts/cluster
# backup` takes a full backup, orders are written, the server's own clock is
# read after their commit, more orders are written, the WAL segment is
# switched and waited for in the repository, and `scripts/cluster restore
# --to` that moment into a new folder on another port must hold exactly the
# first orders, and must not archive into the live repository. Everything it
# starts is stopped on exit, failed or not. Prints the figures it measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
readonly ROOT
# shellcheck source=scripts/lib/pgbackrest.sh
source "$ROOT/scripts/lib/pgbackrest.sh"

# Short: PostgreSQL's Unix socket path is at most 107 bytes.
WORK=$(mktemp -d /tmp/orderly-pitr-XXXXXX)
readonly WORK
chmod 711 "$WORK"  # PostgreSQL's own account works inside
readonly BASE=$WORK/servers/postgres RESTORED=$WORK/restored
cleanup() {
  local rc=$?
  "$ROOT/scripts/cluster" restore --stop "$RESTORED" --dir "$WORK" 2>/dev/null || true
  "$ROOT/scripts/servers" stop "$WORK/servers" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

fail() { echo "pitr_test: FAIL: $*" >&2; exit 1; }
elapsed() { LC_ALL=C awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
sql() { pgbackrest_psql "$1" "$2" orderly; }
# Statements on stdin, each its own transaction (as the services commit orders one by one).
insert_orders() {
  local from=$2 to=$3 id
  for ((id = from; id <= to; id++)); do echo "insert into pitr_orders (id, total_cents) values ($id, $((id * 100)));"; done |
    PGCONNECT_TIMEOUT=5 timeout 60 "$PGBACKREST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d orderly
}

t0=$EPOCHREALTIME
ORDERLY_PG_ARCHIVE=pgbackrest "$ROOT/scripts/servers" start "$WORK/servers" postgres 2>"$WORK/servers.log" ||
  { cat "$WORK/servers.log" >&2; fail "servers did not start"; }
port=$(cat "$WORK/servers/run/pg-primary.port")
echo "pitr_test: PostgreSQL with archiving up in $(elapsed "$t0") s"

sql "$port" "create table pitr_orders (id integer primary key, total_cents integer not null,
  placed_at timestamptz not null default clock_timestamp())"

t0=$EPOCHREALTIME
"$ROOT/scripts/cluster" backup --type full --dir "$WORK" >"$WORK/backup.out" 2>&1 || { cat "$WORK/backup.out" >&2; fail "backup"; }
backup_seconds=$(elapsed "$t0")

insert_orders "$port" 1 200
[[ $(sql "$port" "select count(*) from pitr_orders") == 200 ]] || fail "the first set is not all there"
# The moment to restore to, on the server's clock, after the first set committed.
target=$(sql "$port" "select clock_timestamp()")
insert_orders "$port" 201 300
last_commit=$(sql "$port" "select clock_timestamp()")

t0=$EPOCHREALTIME
segment=$(pgbackrest_wait_archived "$BASE" "$port")
archive_seconds=$(elapsed "$t0")

t0=$EPOCHREALTIME
"$ROOT/scripts/cluster" restore --to "$target" "$RESTORED" --dir "$WORK" >"$WORK/restore.out" 2>"$WORK/restore.err" ||
  { cat "$WORK/restore.err" >&2; fail "restore"; }
restore_seconds=$(elapsed "$t0")
restored_port=$(tail -n 1 "$WORK/restore.out")
[[ $restored_port != "$port" ]] || fail "the copy runs on the live port"

got=$(sql "$restored_port" "select count(*) || ' ' || min(id) || ' ' || max(id) from pitr_orders")
[[ $got == "200 1 200" ]] || fail "the copy restored to $target holds '$got' (count min max), not exactly the first 200"
[[ $(sql "$restored_port" "select pg_is_in_recovery()") == f ]] || fail "the copy was not promoted"
[[ $(sql "$restored_port" "show archive_mode") == off ]] || fail "the copy archives"
# The copy's own writes (its new timeline) must not reach the live repository.
sql "$restored_port" "insert into pitr_orders (id, total_cents) values (999, 1); select pg_switch_wal()" >/dev/null
if find "$BASE/pgbackrest/repo/archive" -name '00000002*' | grep -q .; then
  fail "the restored copy pushed WAL into the live repository"
fi
# The live server is untouched and goes on archiving; an incremental backup follows the full one.
[[ $(sql "$port" "select count(*) from pitr_orders") == 300 ]] || fail "the live server lost rows"
"$ROOT/scripts/cluster" backup --dir "$WORK" >"$WORK/incr.out" 2>&1 || { cat "$WORK/incr.out" >&2; fail "incremental backup"; }
grep -q 'incr backup' "$WORK/incr.out" || fail "no incremental backup listed: $(cat "$WORK/incr.out")"

db_bytes=$(sql "$port" "select pg_database_size('orderly')")
cluster_bytes=$(sql "$port" "select sum(pg_database_size(datname)) from pg_database")
repo_bytes=$(du -sb "$BASE/pgbackrest/repo/backup" | cut -f1)
archive_bytes=$(du -sb "$BASE/pgbackrest/repo/archive" | cut -f1)
echo "pitr_test: full backup ${backup_seconds} s; in the repository: backups ${repo_bytes} bytes, WAL archive ${archive_bytes} bytes (databases ${cluster_bytes} bytes, orderly ${db_bytes})"
echo "pitr_test: switch + archive of segment $segment: ${archive_seconds} s (RPO: commits after the last archived segment)"
echo "pitr_test: restore to $target (last commit at $last_commit), recovery and promotion: ${restore_seconds} s (RTO)"
echo "pitr_test: PASS: exactly the first 200 orders, the copy on 127.0.0.1:$restored_port archives nothing"
