# shellcheck shell=bash
# Helpers shared by the benchmark scripts. Source it after `cd` to the
# repository root:
#   source bench/lib.sh; bench_workdir orderly-store-bench
# sets $work (a temporary folder removed at exit), kills at exit every
# process whose pid the script added to bench_pids, and stops any servers
# started in $work/servers at exit once servers_started=true.

# bench_workdir PREFIX: a fresh folder the servers' own accounts can enter.
bench_workdir() {
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  chmod 755 "$work"  # the PostgreSQL / RabbitMQ accounts must reach $work/servers
  servers_started=false
  bench_pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if $servers_started; then timeout 120 scripts/servers stop "$work/servers" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}

# run CMD...: prints the command, then runs it.
run() { echo "+ $*" >&2; "$@"; }

# field NAME: the number after NAME= in a bench tool's output line.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# wait_port PORT: waits (bounded, 5 s) until a TCP port on 127.0.0.1 accepts
# connections, from whichever process; wait_listener also checks whose it is.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "bench: nothing listens on port $1" >&2
  exit 1
}

# free_ports N (scripts/lib/proc.sh, shared with the server scripts): N
# distinct TCP ports free on 127.0.0.1 right now. Another process may still
# take one before the server binds it: wait_listener catches that.
# shellcheck source=scripts/lib/proc.sh
source scripts/lib/proc.sh

# The PIDs of the processes listening on TCP port PORT (any address).
listener_pids() {
  { ss -Htlnp "sport = :$1" | grep -o 'pid=[0-9]*' || true; } | cut -d= -f2 | sort -u
}

# wait_listener PID PORT: waits (bounded, 10 s) until the process PID itself
# listens on PORT, so a leftover server on the same port is never measured
# in its place. Fails at once when PID exits or another process has the port.
wait_listener() {
  local pid=$1 port=$2 owners
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || { echo "bench: pid $pid exited before it listened on port $port" >&2; exit 1; }
    owners=$(listener_pids "$port")
    if grep -qx "$pid" <<<"$owners"; then return 0; fi
    if [[ -n $owners ]]; then
      echo "bench: port $port is held by pid $(tr '\n' ' ' <<<"$owners")not by pid $pid, the one just started" >&2
      exit 1
    fi
    sleep 0.05
  done
  echo "bench: pid $pid did not listen on port $port within 10 s" >&2
  exit 1
}

# measure URL: one wrk run (WRK_THREADS, CONNECTIONS, DURATION from the
# caller) printed as "requests_per_second p99_ms"; non-2xx answers and socket
# errors are reported on stderr.
measure() {
  local output rps p99 errors
  output=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$output")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$output")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$output")
  [[ -z $errors ]] || echo "  warning ($1): $errors" >&2
  echo "$rps $p99"
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
