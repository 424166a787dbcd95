# shellcheck shell=bash
# Process and port helpers shared by scripts/servers and scripts/ha/*:
# sourced, never run. Nothing here prints unless asked or exits the caller.

# Seconds elapsed since $1 (an earlier $EPOCHREALTIME), with one decimal.
since() { LC_ALL=C awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# Prints N distinct TCP ports that are free on 127.0.0.1: the kernel picks them
# for sockets bound to port 0, all held open together so no port repeats.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# Runs PROGRAM as USER with a clean environment. The working folder is /, one
# every user may read (Erlang lists its working folder at boot).
as_user() {
  local user=$1
  shift
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --reset-env env -C / "$@"
}

# True while PID is a live process. A zombie counts as gone: it has exited,
# and daemons wait for init (a slow one in containers) to collect them.
alive() {
  local state
  [[ -n ${1:-} ]] || return 1
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# True while PID is alive and still runs the program COMM, so a PID the
# kernel has since handed to another process is never signalled.
running() {
  [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]] && alive "$1"
}

# Waits (bounded, SECONDS) until PID no longer runs COMM.
wait_gone() {
  local pid=$1 comm=$2 seconds=$3 tries=0
  while running "$pid" "$comm"; do
    ((++tries <= seconds * 5)) || return 1
    sleep 0.2
  done
}

# True when something accepts TCP connections on 127.0.0.1:PORT (1 s at most).
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# A random secret of BYTES bytes as hex (no character a URI or a config file must escape).
random_hex() {
  head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}
