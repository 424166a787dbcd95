# Helpers shared by the benchmark scripts that start data servers
# (store.sh, broker.sh). Source it after `cd` to the repository root:
#   source bench/lib.sh; bench_workdir orderly-store-bench
# sets $work (a temporary folder removed at exit) and stops any servers
# started in $work/servers at exit once servers_started=true.

# bench_workdir PREFIX: a fresh folder the servers' own accounts can enter.
bench_workdir() {
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  chmod 755 "$work"  # the PostgreSQL / RabbitMQ accounts must reach $work/servers
  servers_started=false
  trap bench_cleanup EXIT
}

bench_cleanup() {
  if $servers_started; then timeout 120 scripts/servers stop "$work/servers" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}

# run CMD...: prints the command, then runs it.
run() { echo "+ $*" >&2; "$@"; }

# field NAME: the number after NAME= in a bench tool's output line.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
