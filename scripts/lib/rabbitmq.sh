# shellcheck shell=bash
# Running one RabbitMQ node by hand, as scripts/servers (one node) and
# scripts/ha/rabbitmq (three) both do: sourced, never run. Needs proc.sh.
# Debian's /usr/sbin/rabbitmq-server wrapper is bypassed: it cd's to
# /var/lib/rabbitmq, logs to /var/log/rabbitmq and su's (which resets HOME,
# and so the Erlang cookie).

readonly RABBIT_BIN=/usr/lib/rabbitmq/bin
# The Debian package creates this account.
readonly RABBIT_USER=rabbitmq

# rabbit_node_env BASE NODENAME DIST_PORT: fills RABBIT_ENV with the
# environment every RabbitMQ program of the node in BASE runs with, server and
# CLI alike, so the CLI reaches this node. Callers may append to it (a HOME
# with the cookie, ERL_EPMD_PORT).
rabbit_node_env() {
  local base=$1
  RABBIT_ENV=(
    RABBITMQ_NODENAME="$2"
    RABBITMQ_DIST_PORT="$3"
    RABBITMQ_MNESIA_BASE="$base/mnesia"
    RABBITMQ_LOG_BASE="$base/log"
    RABBITMQ_PID_FILE="$base/rabbitmq.pid"
    RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    # The Erlang distribution listeners (the node's and each CLI call's) and
    # epmd, if this start launches it, would otherwise listen on all addresses.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    ERL_EPMD_ADDRESS=127.0.0.1
    # A VM that dies while booting writes its crash dump here, not in /.
    ERL_CRASH_DUMP="$base/log/erl_crash.dump"
    # Both left absent on purpose: a host's /etc/rabbitmq settings stay out.
    RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
  )
}

# rabbit_prepare BASE AMQP_PORT: an empty node folder with its config (AMQP
# on loopback only, no plugins), owned by the rabbitmq user.
rabbit_prepare() {
  local base=$1
  mkdir -p "$base/mnesia" "$base/log"
  echo "listeners.tcp.default = 127.0.0.1:$2" >"$base/rabbitmq.conf"
  # No plugins: the platform speaks AMQP 0-9-1 only, and plugins slow start-up.
  echo "[]." >"$base/enabled_plugins"
  chown -R "$RABBIT_USER:" "$base"
}

# rabbit_launch BASE: starts the node RABBIT_ENV describes, detached, and
# returns at once. rabbitmq-server runs in the foreground as a shell script
# (the launcher) that waits for the Erlang VM. setsid --fork detaches it into
# a session of its own, so a Ctrl-C in the caller's terminal does not reach
# it; the launcher writes its PID first (BASE/launcher.pid), for a caller to
# notice a node that dies while booting (before the node writes its own PID
# file, BASE/rabbitmq.pid).
rabbit_launch() {
  local base=$1
  rm -f "$base/launcher.pid" "$base/rabbitmq.pid"
  # shellcheck disable=SC2016 # $$ and $@ are for the inner sh
  (as_user "$RABBIT_USER" setsid --fork sh -c 'echo $$ >"$0" && exec "$@"' "$base/launcher.pid" \
    env "${RABBIT_ENV[@]}" "$RABBIT_BIN/rabbitmq-server") </dev/null >>"$base/log/startup.log" 2>&1
}

# rabbit_tool SECONDS TOOL ARGS...: a RabbitMQ CLI tool (rabbitmqctl,
# rabbitmq-diagnostics, rabbitmq-queues) for the node RABBIT_ENV describes,
# bounded in time.
rabbit_tool() {
  local seconds=$1
  shift
  as_user "$RABBIT_USER" timeout "$seconds" env "${RABBIT_ENV[@]}" "$RABBIT_BIN/$1" "${@:2}"
}
