#!/usr/bin/env bash
# Smoke test for scripts/servers: starts every server in a temporary
# folder, uses each one for real through the exported settings, stops them and
# checks that every recorded process is gone. Exits non-zero, naming the
# failed check, on any failure; the servers are stopped and the folder removed
# in every case.
set -euo pipefail

servers=$(cd "$(dirname "$0")" && pwd)/servers
dir=$(mktemp -d /tmp/orderly-servers.XXXXXX)

say() { echo "servers_smoke_test: $*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}

cleanup() {
  local status=$?
  "$servers" stop "$dir" >/dev/null 2>&1 || say "cleanup: stop failed; servers may still run under $dir"
  rm -rf "$dir"
  ((status)) || say "PASS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# True while PID is a live (not zombie) process.
alive() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

t0=$SECONDS
"$servers" start "$dir" || fail "start"
say "start took $((SECONDS - t0)) s"

eval "$("$servers" env "$dir")" || fail "env"
for name in ORDERLY_TEST_PG_PRIMARY ORDERLY_TEST_PG_REPLICA ORDERLY_TEST_PG_LAGGING_REPLICA ORDERLY_TEST_REDIS ORDERLY_TEST_AMQP ORDERLY_TEST_RABBIT_NODE ORDERLY_TEST_ETCD; do
  [[ -n ${!name:-} ]] || fail "$name is not set by 'servers env'"
done

# PostgreSQL: a row written on the primary shows up on the replica.
sql() { PGCONNECT_TIMEOUT=5 timeout 10 psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
token="smoke-$$-$RANDOM"
sql "$ORDERLY_TEST_PG_PRIMARY" -c "create table smoke (note text); insert into smoke values ('$token')" ||
  fail "postgres: write on the primary ($ORDERLY_TEST_PG_PRIMARY)"
seen=
for ((try = 0; try < 50; try++)); do
  seen=$(sql "$ORDERLY_TEST_PG_REPLICA" -c "select note from smoke" 2>/dev/null) || true
  [[ $seen == "$token" ]] && break
  sleep 0.2
done
[[ $seen == "$token" ]] || fail "postgres: row written on the primary not on the replica within 10 s"
[[ $(sql "$ORDERLY_TEST_PG_REPLICA" -c "select pg_is_in_recovery()") == t ]] ||
  fail "postgres: the replica is not in recovery"
[[ $(sql "$ORDERLY_TEST_PG_LAGGING_REPLICA" -c "select pg_is_in_recovery()") == t ]] ||
  fail "postgres: the lagging replica is not in recovery"
if sql "$ORDERLY_TEST_PG_REPLICA" -c "insert into smoke values ('x')" 2>/dev/null; then
  fail "postgres: the replica accepted a write"
fi
say "postgres ok (primary write read back from the replica)"

# Redis: SET then GET.
timeout 10 redis-cli -u "$ORDERLY_TEST_REDIS" set smoke "$token" >/dev/null || fail "redis: SET"
[[ $(timeout 10 redis-cli -u "$ORDERLY_TEST_REDIS" get smoke) == "$token" ]] || fail "redis: GET"
say "redis ok"

# RabbitMQ: the Debian rabbitmqctl reaches the node by name, the user the
# tests log in with authenticates, and the AMQP port answers a protocol header
# with a Connection.Start frame from RabbitMQ.
timeout 60 rabbitmqctl -q -n "$ORDERLY_TEST_RABBIT_NODE" list_queues >/dev/null || fail "rabbitmq: list_queues"
timeout 60 rabbitmqctl -q -n "$ORDERLY_TEST_RABBIT_NODE" authenticate_user orderly orderly >/dev/null ||
  fail "rabbitmq: user orderly does not authenticate"
amqp_port=${ORDERLY_TEST_AMQP##*:}
amqp_port=${amqp_port%%/*}
python3 - "$amqp_port" <<'EOF' || fail "rabbitmq: no AMQP Connection.Start on port $amqp_port"
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall(b"AMQP\x00\x00\x09\x01")
    frame = s.recv(4096)
# frame type 1 (method), channel 0, then class 10 / method 10 = Connection.Start
sys.exit(0 if frame[:3] == b"\x01\x00\x00" and frame[7:11] == b"\x00\x0a\x00\x0a" and b"RabbitMQ" in frame else 1)
EOF
say "rabbitmq ok"

# etcd: a key written through the v3 JSON gateway reads back.
curl -fsS -m 10 -X POST "http://$ORDERLY_TEST_ETCD/v3/kv/put" -d '{"key":"c21va2U=","value":"b2s="}' >/dev/null ||
  fail "etcd: put"
curl -fsS -m 10 -X POST "http://$ORDERLY_TEST_ETCD/v3/kv/range" -d '{"key":"c21va2U="}' | grep -q '"value":"b2s="' ||
  fail "etcd: range"
say "etcd ok"

for name in pg-primary pg-replica redis rabbitmq rabbitmq-launcher etcd; do
  [[ -s $dir/run/$name.pid ]] || fail "no PID recorded for $name"
done
pids=$(cat "$dir"/run/*.pid)
t0=$SECONDS
"$servers" stop "$dir" || fail "stop"
say "stop took $((SECONDS - t0)) s"
for pid in $pids; do
  ! alive "$pid" || fail "process $pid still runs after stop"
done
[[ ! -e $dir/env ]] || fail "stop left $dir/env behind"
"$servers" stop "$dir" || fail "a second stop"
