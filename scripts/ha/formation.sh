#!/usr/bin/env bash
# A pg_auto_failover formation on this machine: a monitor and two PostgreSQL 15 nodes (a primary
# and a synchronous standby) in separate data directories and ports, run by the postgres user.
# Debian packages: postgresql-15-auto-failover, pg-auto-failover-cli (installed when missing).
#
#   scripts/ha/formation.sh up        # monitor :6000, nodes :6001 :6002, database xueshi; prints the URI
#   scripts/ha/formation.sh state     # pg_autoctl show state
#   scripts/ha/formation.sh primary   # the port of the node that is primary now
#   scripts/ha/formation.sh kill PORT # machine loss: kill -9 the node's keeper and its postmaster
#   scripts/ha/formation.sh rejoin PORT  # start the lost node again (it rejoins as standby)
#   scripts/ha/formation.sh wait-sync # until one primary and one secondary report (sync standby back)
#   scripts/ha/formation.sh down
#
# HA_DIR (default /tmp/xueshi-ha) holds everything. The monitor's failover timing is
# pg_auto_failover's default unless HA_FAST=1, which sets node_considered_unhealthy_timeout to
# 10 s (the drill says which it used).
set -euo pipefail
HA_DIR=${HA_DIR:-/tmp/xueshi-ha}
PGBIN=/usr/lib/postgresql/15/bin
MON_PORT=6000
MON_URI="postgres://autoctl_node@127.0.0.1:$MON_PORT/pg_auto_failover?sslmode=disable"
as_pg() { su postgres -s /bin/bash -c "cd /tmp && env -i PATH=$PGBIN:/usr/bin:/bin HOME=/var/lib/postgresql XDG_CONFIG_HOME=$HA_DIR/config XDG_DATA_HOME=$HA_DIR/share $*"; }
# A long-running pg_autoctl in the background, detached from our standard streams (a caller
# reading our output through a pipe would otherwise wait for it to end).
bg_pg() { as_pg "nohup $1 >>$2 2>&1 &" </dev/null >/dev/null 2>&1; }

need() {
  if ! command -v pg_autoctl >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      postgresql-15-auto-failover pg-auto-failover-cli >/dev/null
  fi
  command -v pg_autoctl >/dev/null || { echo "pg_autoctl is required (pg-auto-failover-cli)" >&2; exit 1; }
}

# A process and all its descendants, listed before any is killed (killed parents reparent
# their children, which then escape a later `pkill -P`).
tree() { echo "$1"; for c in $(pgrep -P "$1" || true); do tree "$c"; done; }
kill_tree() { # pattern
  local pids=()
  for p in $(pgrep -f "$1" || true); do pids+=($(tree "$p")); done
  [ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null || true
}

node_dir() { echo "$HA_DIR/node$(( $1 - 6000 ))"; }

start_node() { # port
  local dir; dir=$(node_dir "$1")
  bg_pg "pg_autoctl run --pgdata $dir" "$dir.log"
}

state() { as_pg "pg_autoctl show state --pgdata $HA_DIR/monitor"; }

primary() {
  for port in 6001 6002; do
    if [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d xueshi -Atc 'select not pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      echo "$port"; return 0
    fi
  done
  return 1
}

case "${1:-}" in
  up)
    need
    mkdir -p "$HA_DIR" && chown postgres "$HA_DIR"
    bg_pg "pg_autoctl create monitor --pgdata $HA_DIR/monitor --pgport $MON_PORT --hostname 127.0.0.1 --auth trust --no-ssl --run" "$HA_DIR/monitor.log"
    for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p $MON_PORT && break; sleep 1; done
    sleep 2
    if [ "${HA_FAST:-0}" = 1 ]; then
      psql -h 127.0.0.1 -p $MON_PORT -U postgres -d pg_auto_failover -qc \
        "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 10000" \
        -c "SELECT pg_reload_conf()" >/dev/null
    fi
    for port in 6001 6002; do
      dir=$(node_dir $port)
      bg_pg "pg_autoctl create postgres --pgdata $dir --pgport $port --hostname 127.0.0.1 --auth trust --no-ssl --monitor '$MON_URI' --dbname xueshi --run" "$dir.log"
      # The first node must be primary before the second registers. The second's base backup
      # waits for a spread checkpoint (minutes): ask for an immediate one meanwhile.
      for _ in $(seq 300); do
        state 2>/dev/null | grep -q "127.0.0.1:$port .*\(single\|primary\|secondary\)" && break
        [ "$port" = 6002 ] && psql -h 127.0.0.1 -p 6001 -U postgres -d xueshi -qc CHECKPOINT >/dev/null 2>&1 || true
        sleep 1
      done
    done
    "$0" wait-sync
    echo "postgres://postgres@127.0.0.1:6001,127.0.0.1:6002/xueshi?target_session_attrs=read-write"
    ;;
  state) state ;;
  primary) primary ;;
  kill)
    dir=$(node_dir "$2")
    # The keeper and its services with the postmaster they run: the machine is gone (killing
    # PostgreSQL alone, the keeper would restart it and no failover would happen).
    kill_tree "pg_autoctl .*--pgdata $dir( |$)"
    if [ -f "$dir/postmaster.pid" ]; then kill -9 "$(head -1 "$dir/postmaster.pid")" 2>/dev/null || true; fi
    ;;
  rejoin) start_node "$2" ;;
  wait-sync)
    for _ in $(seq 300); do
      s=$(state 2>/dev/null || true)
      if grep -q '| *primary | *primary$' <<<"$s" && grep -q '| *secondary | *secondary$' <<<"$s"; then exit 0; fi
      sleep 1
    done
    echo "the formation did not reach primary + secondary:" >&2; state >&2; exit 1
    ;;
  down)
    kill_tree "pg_autoctl .*--pgdata $HA_DIR/"
    for d in "$HA_DIR"/monitor "$HA_DIR"/node1 "$HA_DIR"/node2; do
      [ -f "$d/postmaster.pid" ] && kill -9 "$(head -1 "$d/postmaster.pid")" 2>/dev/null || true
    done
    sleep 1; rm -rf "$HA_DIR"
    ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
