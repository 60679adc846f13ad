#!/usr/bin/env bash
# The backup and restore drill (README "Deploying for a province"), for each backend: the
# service runs and clients register through it; a checkpoint is published (BEFORE); a backup is
# taken *under that load*; more registrations; a later checkpoint is published (AFTER). The
# backup is restored elsewhere and `xueshi ledger verify --against BEFORE` must pass (the
# restore is the log that was published), while `--against AFTER` must fail (a restore that
# lacks the last entries is caught). Exits non-zero if either expectation fails.
#
#   scripts/backup-drill.sh [sqlite|postgres|both]    (default both)
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-both}
PROFILE=${PROFILE:-debug}
W=$(mktemp -d /tmp/xueshi-backup.XXXXXX)
chmod 755 "$W"
chown postgres "$W"  # initdb, pg_basebackup and pg_ctl run as postgres inside it
PGBIN=/usr/lib/postgresql/15/bin
cleanup() {
  touch "$W/stop"
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  for d in "$W/pg" "$W/restored-pg"; do
    [ -f "$d/postmaster.pid" ] && su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $d -m immediate stop" >/dev/null 2>&1 || true
  done
  [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
. scripts/ha/lib.sh
build_xueshi

load() { # url port → starts the service and a client; leaves them running
  local url=$1 port=$2
  seed_demo "$url" 100
  serve_instance "$url" "$port" "$W/serve.log"
  rm -f "$W/stop"
  python3 scripts/ha/client.py --instances "http://127.0.0.1:$port" --login demo-unit \
    --password "$UNIT_PW" --threads 2 --out "$W/acked.jsonl" --timeline "$W/timeline.txt" \
    --stop "$W/stop" >"$W/client.out" 2>&1 &
  sleep 5
}

stop_load() {
  touch "$W/stop"
  sleep 2
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}

expect() { # label url keys → verify against BEFORE passes, AFTER fails
  local label=$1 url=$2 keys=$3
  echo "$label: published before the backup: $(sed -n 2p "$W/before.note") entries; after: $(sed -n 2p "$W/after.note")"
  if $X --database "$url" --keys "$keys" ledger verify --against "$W/before.note" >"$W/v1.out" 2>&1; then
    echo "$label: restored copy verifies against the checkpoint published before the backup: $(head -1 "$W/v1.out")"
  else
    echo "$label: FAILED — restored copy does not verify against BEFORE:" >&2; cat "$W/v1.out" >&2; exit 1
  fi
  if $X --database "$url" --keys "$keys" ledger verify --against "$W/after.note" >"$W/v2.out" 2>&1; then
    echo "$label: FAILED — a restore missing the last entries passed against AFTER" >&2; exit 1
  else
    echo "$label: against a checkpoint published after the backup, the missing entries are caught: $(grep -m1 -v '^$' "$W/v2.out")"
  fi
}

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
  echo "== SQLite"
  DB="sqlite://$W/live.db"
  load "$DB" 8381
  $X --database "$DB" --keys "$W/x.keys" ledger checkpoint >"$W/before.note"
  sleep 2
  $X --database "$DB" backup --to "$W/backup.db" | head -2
  sleep 3
  $X --database "$DB" --keys "$W/x.keys" ledger checkpoint >"$W/after.note"
  stop_load
  echo "client: $(cat "$W/client.out")"
  mkdir -p "$W/restored"
  cp "$W/backup.db" "$W/restored/xueshi.db"
  cp "$W/x.keys" "$W/restored/xueshi.keys"  # kept apart from the backup, put back beside it
  expect SQLite "sqlite://$W/restored/xueshi.db" "$W/restored/xueshi.keys"
fi

if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
  echo "== PostgreSQL (pg_basebackup under load, WAL archived)"
  rm -f "$W/acked.jsonl" "$W/timeline.txt" "$W/x.keys"
  mkdir -p "$W/wal" && chown postgres "$W/wal"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $W/pg -A trust -U postgres >/dev/null"
  cat >>"$W/pg/postgresql.conf" <<CONF
port = 6020
listen_addresses = '127.0.0.1'
unix_socket_directories = '$W'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $W/wal/%f && cp %p $W/wal/%f'
CONF
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $W/pg -l $W/pg.log -w start >/dev/null"
  psql -h 127.0.0.1 -p 6020 -U postgres -qc "CREATE DATABASE xueshi"
  DB="postgres://postgres@127.0.0.1:6020/xueshi"
  load "$DB" 8391
  $X --database "$DB" --keys "$W/x.keys" ledger checkpoint >"$W/before.note"
  sleep 2
  su postgres -s /bin/sh -c "$PGBIN/pg_basebackup -h 127.0.0.1 -p 6020 -U postgres -D $W/base -X stream -c fast"
  echo "pg_basebackup done ($(du -sh "$W/base" | cut -f1))"
  sleep 3
  $X --database "$DB" --keys "$W/x.keys" ledger checkpoint >"$W/after.note"
  stop_load
  echo "client: $(cat "$W/client.out")"
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $W/pg -m fast -w stop >/dev/null"
  # Restore: the base backup elsewhere, on its own port, recovering what it streamed.
  cp -a "$W/base" "$W/restored-pg"
  sed -i "s/^port = 6020/port = 6021/; s/^archive_mode = on/archive_mode = off/" "$W/restored-pg/postgresql.conf"
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $W/restored-pg -l $W/restored.log -w start >/dev/null"
  expect PostgreSQL "postgres://postgres@127.0.0.1:6021/xueshi" "$W/x.keys"
  echo "WAL segments archived meanwhile: $(ls "$W/wal" | wc -l) (for point-in-time recovery, README)"
fi
