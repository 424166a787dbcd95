# shellcheck shell=bash
# pgBackRest for the scale-out profiles' PostgreSQL: a local repository,
# WAL archiving, full/differential/incremental backups and point-in-time
# restores into a new folder started on a port of its own. Sourced by
# scripts/servers (archiving at start-up) and scripts/cluster (the backup and
# restore subcommands); the HA profile passes its Patroni nodes as pg1..pgN.
#
# Layout of BASE (the PostgreSQL folder, e.g. CLUSTER/servers/postgres):
#   BASE/pgbackrest/pgbackrest.conf   the configuration (0600)
#   BASE/pgbackrest/repo/             the repository: backups and archived WAL
#   BASE/pgbackrest/{log,lock,spool}/
# Everything belongs to the account PostgreSQL runs as (PGBACKREST_USER):
# archive-push runs inside the server, and backup reads its data folder.

readonly PGBACKREST_STANZA=orderly
readonly PGBACKREST_USER=${PGBACKREST_USER:-orderly-pg}
readonly PGBACKREST_PG_BIN=/usr/lib/postgresql/15/bin
# Upper bound for the waits below (archive of a segment, a restored copy's recovery).
readonly PGBACKREST_WAIT_SECONDS=${PGBACKREST_WAIT_SECONDS:-60}

pgbackrest_log() { echo "pgbackrest: $*" >&2; }
pgbackrest_die() { pgbackrest_log "error: $*"; exit 1; }

pgbackrest_as_user() {
  setpriv --reuid="$PGBACKREST_USER" --regid="$(id -g "$PGBACKREST_USER")" --init-groups --reset-env \
    env -C / "$@"
}

pgbackrest_conf_of() { echo "$1/pgbackrest/pgbackrest.conf"; }

# pgbackrest_write_conf BASE NODE...: NODE is DATA_PATH:PORT:SOCKET_DIR, one
# per PostgreSQL node (pg1, pg2, ...). pgBackRest finds the primary among them
# for a backup, so the list may be every member of a Patroni cluster.
pgbackrest_write_conf() {
  local base=$1 conf index=1 node path port socket
  shift
  (($# >= 1)) || pgbackrest_die "pgbackrest_write_conf: no PostgreSQL node"
  conf=$(pgbackrest_conf_of "$base")
  mkdir -p "$base/pgbackrest"/{repo,log,lock,spool}
  {
    cat <<CONF
[global]
repo1-path=$base/pgbackrest/repo
# Two full backups and the WAL they need; older ones expire after a backup.
repo1-retention-full=2
compress-type=lz4
log-path=$base/pgbackrest/log
lock-path=$base/pgbackrest/lock
spool-path=$base/pgbackrest/spool
log-level-console=warn
log-level-file=info
# A backup starts with an immediate checkpoint instead of waiting for the next one.
start-fast=y

[$PGBACKREST_STANZA]
CONF
    for node in "$@"; do
      IFS=: read -r path port socket <<<"$node"
      printf 'pg%d-path=%s\npg%d-port=%s\npg%d-socket-path=%s\npg%d-user=postgres\n' \
        "$index" "$path" "$index" "$port" "$index" "$socket" "$index"
      index=$((index + 1))
    done
  } >"$conf"
  chmod 600 "$conf"
  chmod 700 "$base/pgbackrest"
  chown -R "$PGBACKREST_USER:" "$base/pgbackrest"
}

# The archive_command value alone (for Patroni's postgresql.parameters).
pgbackrest_archive_command() {
  echo "pgbackrest --config=$(pgbackrest_conf_of "$1") --stanza=$PGBACKREST_STANZA archive-push %p"
}

# The postgresql.conf lines that archive every WAL segment into the repository.
pgbackrest_archive_settings() {
  cat <<CONF
archive_mode = on
archive_command = '$(pgbackrest_archive_command "$1")'
# A quiet server still ships its last writes within a minute (the RPO bound when idle).
archive_timeout = 60
CONF
}

# Once the primary runs: the stanza in the repository, and a check that a
# segment really reaches it (pgBackRest's own `check` switches WAL and waits).
pgbackrest_stanza_create() {
  local conf
  conf=$(pgbackrest_conf_of "$1")
  pgbackrest_as_user pgbackrest --config="$conf" --stanza="$PGBACKREST_STANZA" stanza-create ||
    pgbackrest_die "stanza-create failed (see $1/pgbackrest/log)"
  pgbackrest_as_user pgbackrest --config="$conf" --stanza="$PGBACKREST_STANZA" check ||
    pgbackrest_die "check failed: WAL does not reach the repository (see $1/pgbackrest/log)"
}

# pgbackrest_backup BASE TYPE: TYPE full, diff or incr (an incr or diff with no
# full before it is made full by pgBackRest). Prints what the repository holds.
pgbackrest_backup() {
  local base=$1 type=$2 conf t0=$EPOCHREALTIME
  conf=$(pgbackrest_conf_of "$base")
  [[ -f $conf ]] || pgbackrest_die "no pgBackRest configuration in $base (was the cluster started with archiving?)"
  case $type in full | diff | incr) ;; *) pgbackrest_die "--type must be full, diff or incr" ;; esac
  pgbackrest_as_user pgbackrest --config="$conf" --stanza="$PGBACKREST_STANZA" --type="$type" backup ||
    pgbackrest_die "backup failed (see $base/pgbackrest/log)"
  pgbackrest_log "$type backup done in $(LC_ALL=C awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
  pgbackrest_as_user pgbackrest --config="$conf" --stanza="$PGBACKREST_STANZA" info
}

# pgbackrest_restore BASE TIMESTAMP TARGET [PORT]: the newest backup before
# TIMESTAMP, replayed from the archive up to TIMESTAMP, into the new folder
# TARGET, then started on 127.0.0.1:PORT (default: a free port) and promoted.
# The copy never archives (--archive-mode=off, and archive_mode off on its
# command line): it must not push its own WAL into the live repository.
# Prints the port.
pgbackrest_restore() {
  local base=$1 timestamp=$2 target=$3 port=${4:-} conf socket t0=$EPOCHREALTIME
  conf=$(pgbackrest_conf_of "$base")
  [[ -f $conf ]] || pgbackrest_die "no pgBackRest configuration in $base"
  [[ -n $timestamp ]] || pgbackrest_die "--to TIMESTAMP is required"
  if [[ -e $target ]] && [[ -n $(ls -A "$target") ]]; then pgbackrest_die "$target is not empty"; fi
  mkdir -p "$target"
  target=$(cd "$target" && pwd)
  chown "$PGBACKREST_USER:" "$target"
  chmod 700 "$target"
  [[ -n $port ]] || port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pgbackrest_as_user pgbackrest --config="$conf" --stanza="$PGBACKREST_STANZA" --pg1-path="$target" \
    --type=time "--target=$timestamp" --target-action=promote --archive-mode=off restore ||
    pgbackrest_die "restore to $timestamp failed (see $base/pgbackrest/log)"

  # The copied postgresql.conf still names the live server's port and socket
  # folder; the command line below wins over it and over postgresql.auto.conf.
  socket=$target/sockets
  ((${#socket} + 20 <= 107)) || socket=$(mktemp -d /tmp/orderly-pgsock-XXXXXX)
  mkdir -p "$socket"
  chown "$PGBACKREST_USER:" "$socket"
  echo "$port" >"$target/restored.port"
  echo "$socket" >"$target/restored.socket"
  if ! pgbackrest_as_user "$PGBACKREST_PG_BIN/pg_ctl" start -D "$target" -l "$target/restored.log" -w \
    -t "$PGBACKREST_WAIT_SECONDS" -s \
    -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$socket -c archive_mode=off -c archive_command=" \
    >/dev/null; then
    tail -n 20 "$target/restored.log" >&2 || true
    pgbackrest_die "the restored copy did not start"
  fi
  local deadline=$((SECONDS + PGBACKREST_WAIT_SECONDS))
  until [[ $(pgbackrest_psql "$port" "select pg_is_in_recovery()") == f ]]; do
    ((SECONDS < deadline)) || pgbackrest_die "the restored copy did not finish recovery in $PGBACKREST_WAIT_SECONDS s"
    sleep 0.2
  done
  pgbackrest_log "restored to $timestamp in $(LC_ALL=C awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s: $target on 127.0.0.1:$port"
  echo "$port"
}

# Stops a copy that pgbackrest_restore started.
pgbackrest_stop_restored() {
  local target=$1
  [[ -f $target/postmaster.pid ]] || return 0
  pgbackrest_as_user "$PGBACKREST_PG_BIN/pg_ctl" stop -D "$target" -m fast -w -t "$PGBACKREST_WAIT_SECONDS" -s || true
}

pgbackrest_psql() {
  PGCONNECT_TIMEOUT=5 timeout 10 "$PGBACKREST_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -c "$2"
}

# pgbackrest_wait_archived BASE PORT: switches to a new WAL segment on the
# server at PORT and waits (bounded) until the one it closed is in the
# repository: after it returns, every commit before the call can be restored.
pgbackrest_wait_archived() {
  local port=$2 segment deadline=$((SECONDS + PGBACKREST_WAIT_SECONDS))
  segment=$(pgbackrest_psql "$port" "select pg_walfile_name(pg_switch_wal())")
  until [[ $(pgbackrest_psql "$port" "select coalesce(last_archived_wal >= '$segment', false) from pg_stat_archiver") == t ]]; do
    ((SECONDS < deadline)) || pgbackrest_die "segment $segment not archived in $PGBACKREST_WAIT_SECONDS s"
    sleep 0.1
  done
  echo "$segment"
}

# ------------------------------------------------- scripts/cluster subcommands

# pgbackrest_cli_backup BASE [--type full|diff|incr]   (default incr)
pgbackrest_cli_backup() {
  local base=$1 type=incr
  shift
  while (($#)); do
    case $1 in
      --type) (($# >= 2)) || pgbackrest_die "--type needs full, diff or incr"; type=$2; shift 2 ;;
      *) pgbackrest_die "backup: unknown argument $1 (usage: backup [--type full|diff|incr] [--dir DIR])" ;;
    esac
  done
  pgbackrest_backup "$base" "$type"
}

# pgbackrest_cli_restore BASE --to TIMESTAMP TARGET_DIR [--port PORT] | --stop TARGET_DIR
pgbackrest_cli_restore() {
  local base=$1 timestamp="" target="" port="" stop=0
  shift
  while (($#)); do
    case $1 in
      --to) (($# >= 2)) || pgbackrest_die "--to needs a TIMESTAMP"; timestamp=$2; shift 2 ;;
      --port) (($# >= 2)) || pgbackrest_die "--port needs a number"; port=$2; shift 2 ;;
      --stop) stop=1; shift ;;
      -*) pgbackrest_die "restore: unknown option $1" ;;
      *) [[ -z $target ]] || pgbackrest_die "restore: one TARGET_DIR only"; target=$1; shift ;;
    esac
  done
  [[ -n $target ]] || pgbackrest_die "usage: restore --to TIMESTAMP TARGET_DIR [--port PORT] [--dir DIR] | restore --stop TARGET_DIR"
  if ((stop)); then
    pgbackrest_stop_restored "$target"
    pgbackrest_log "stopped the restored copy in $target"
    return 0
  fi
  pgbackrest_restore "$base" "$timestamp" "$target" "$port"
  pgbackrest_log "stop it with: scripts/cluster restore --stop $target"
}
