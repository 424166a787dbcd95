#!/usr/bin/env bash
# Tests of how the scripts pick ports (issue 19, item 11): free ports are
# picked, then let go before the server binds them, so another process can
# take one in between.
#  1. bench/lib.sh's wait_listener refuses a port another process holds (a
#     leftover server would otherwise be measured instead of the new one),
#     and accepts the port once the process just started holds it.
#  2. scripts/servers, when the port it picked for Redis is taken before
#     redis-server binds it, retries on fresh ports and the server answers.
# Exits non-zero naming the failed check; everything it started is stopped
# and its folder removed in every case.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/orderly-ports-test.XXXXXX)
chmod 755 "$work"
pids=()

say() { echo "ports_test: $*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}
cleanup() {
  local status=$?
  "$root/scripts/servers" stop "$work/servers" >/dev/null 2>&1 || say "cleanup: servers stop failed under $work"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  ((status)) || say "PASS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# hold_port PORT [listen]: a process that holds 127.0.0.1:PORT until killed
# (bound only, or listening too); its pid in $listener.
hold_port() {
  python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
if len(sys.argv) > 2:
    s.listen()
print("listening", flush=True)
while True:
    time.sleep(3600)
' "$@" >"$work/listener-$1.out" 2>&1 &
  listener=$!
  pids+=("$listener")
  # Bounded wait for its own line: the port is bound once it is printed.
  for _ in $(seq 1 100); do
    grep -q listening "$work/listener-$1.out" && return 0
    kill -0 "$listener" 2>/dev/null || fail "the listener on port $1 exited: $(cat "$work/listener-$1.out")"
    sleep 0.05
  done
  fail "the listener on port $1 did not start within 5 s"
}

cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh

# ---- 1. wait_listener checks whose port it is
read -r port < <(free_ports 1)
hold_port "$port" listen
leftover=$listener
sleep 3600 &  # stands for a server just started that never got the port
newcomer=$!
pids+=("$newcomer")
if output=$( (wait_listener "$newcomer" "$port") 2>&1); then
  fail "wait_listener accepted port $port for pid $newcomer while pid $leftover holds it"
fi
grep -q "held by pid $leftover" <<<"$output" || fail "wait_listener did not name the holder: $output"
(wait_listener "$leftover" "$port") || fail "wait_listener refused port $port for its holder, pid $leftover"
say "wait_listener refuses a port held by another process and accepts its holder"

# ---- 2. scripts/servers retries when its picked port is taken
# The first port scripts/servers picks is one this test holds: a python3
# shim answers the first free_ports call with it, the rest go to python3.
# Bound without listening, so that scripts/servers' ping of it is refused
# at once instead of waiting out its timeout.
read -r taken < <(free_ports 1)
hold_port "$taken"
mkdir -p "$work/bin"
cat >"$work/bin/python3" <<EOF
#!/bin/sh
if [ ! -e "$work/bin/picked" ]; then
  : >"$work/bin/picked"
  cat >/dev/null
  echo $taken
  exit 0
fi
exec $(command -v python3) "\$@"
EOF
chmod +x "$work/bin/python3"
PATH="$work/bin:$PATH" "$root/scripts/servers" start "$work/servers" redis >"$work/servers.out" 2>&1 ||
  fail "scripts/servers start redis failed: $(tail -n 20 "$work/servers.out")"
[[ -e $work/bin/picked ]] || fail "the shim was never asked for a port, so the test proved nothing"
grep -q "retrying on other ports" "$work/servers.out" ||
  fail "no retry after the picked port was taken: $(cat "$work/servers.out")"
url=$(sed -n 's/^export ORDERLY_TEST_REDIS=//p' "$work/servers/env")
redis_port=${url##*:}
[[ $redis_port != "$taken" ]] || fail "redis reports the taken port $taken"
[[ $(timeout 5 redis-cli -h 127.0.0.1 -p "$redis_port" ping) == PONG ]] || fail "redis does not answer on $redis_port"
say "scripts/servers retried on port $redis_port after port $taken was taken"
