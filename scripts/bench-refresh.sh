#!/usr/bin/env bash
# Refresh benchmark (issue 14): re-deciding person-years with `xueshi statistics refresh`, on a
# demo database of P persons (SQLite; PostgreSQL with PG_P persons when PostgreSQL answers),
# and the DuckDB anchor on the same records exported as CSV (scripts/duckdb-anchor.py). Prints
# one line per measurement with the load average. Not a test.
#
#   scripts/bench-refresh.sh [P=50000] [PG_P=10000] [YEAR=2026]
#   XUESHI_BIN=/path/to/xueshi WORK=/tmp/dir scripts/bench-refresh.sh …   # reuse a seeded dir
set -euo pipefail
cd "$(dirname "$0")/.."
P=${1:-50000}
PG_P=${2:-10000}
YEAR=${3:-2026}
PG=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
WORK=${WORK:-$(mktemp -d /tmp/xueshi-bench-refresh.XXXXXX)}
mkdir -p "$WORK"
if [ -z "${XUESHI_BIN:-}" ]; then
  cargo build -q --release -p xueshi
fi
X=${XUESHI_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/xueshi}
load() { cut -d' ' -f1-3 /proc/loadavg; }

refresh() { # label, database URL
  local label=$1 url=$2
  echo "$label: load $(load)"
  $X --database "$url" --keys "$WORK/$label.keys" statistics refresh --year "$YEAR" --all 2>/dev/null
  echo "$label: load $(load)"
  $X --database "$url" --keys "$WORK/$label.keys" statistics refresh --all 2>/dev/null
}

SQLITE="sqlite://$WORK/bench.db"
if [ ! -f "$WORK/bench.db" ]; then
  echo "sqlite: seeding $P persons (load $(load))"
  $X --database "$SQLITE" --keys "$WORK/sqlite.keys" demo seed --persons "$P" | grep -E "统计|记录|人员" || true
fi
refresh sqlite "$SQLITE"

sqlite3 -csv -header "$WORK/bench.db" \
  "SELECT r.person_id, r.subject, r.form, r.started_on, r.completed_on, r.hours_tenths, r.minutes, r.for_year
     FROM records r WHERE NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id)" > "$WORK/records.csv"
echo "anchor: load $(load)"
python3 scripts/duckdb-anchor.py "$WORK/records.csv" "$YEAR"

if psql "$PG" -Atc 'select 1' >/dev/null 2>&1; then
  DB=xueshi_bench_refresh
  URL="${PG%/*}/$DB"
  if ! psql "$URL" -Atc 'select 1' >/dev/null 2>&1; then
    psql "$PG" -qc "CREATE DATABASE $DB"
    echo "postgres: seeding $PG_P persons (load $(load))"
    $X --database "$URL" --keys "$WORK/postgres.keys" demo seed --persons "$PG_P" | grep -E "统计|记录|人员" || true
  fi
  refresh postgres "$URL"
fi
