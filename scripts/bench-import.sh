#!/usr/bin/env bash
# Import benchmark (issue: store and ledger). Imports N base certificates (default 1,000,000) for
# P persons (default 100,000) into SQLite and PostgreSQL through `xueshi import` — validation,
# sealing look-ups, ledger and signed checkpoints included — and, in the same run, the same CSV
# through the raw write path of each database (`sqlite3 .import`, `psql \copy`) as the limit.
# Then `ledger verify` on both. Prints one line per measurement. Not a test.
#
# An import file may not exceed 64 MB (`xueshi_table::limits`): the certificates are written as
# files of at most 500,000 rows (58 MB), imported one after the other; the raw write takes the
# same files. The times given are the sums over the files.
#
#   scripts/bench-import.sh [N] [P]
#   XUESHI_BIN=/path/to/xueshi scripts/bench-import.sh …   # another build (e.g. a baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
P=${2:-100000}
PG=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d /tmp/xueshi-bench-import.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${XUESHI_BIN:-}" ]; then
  cargo build -q --release -p xueshi
fi
X=${XUESHI_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/xueshi}

python3 scripts/gen_bench_data.py "$WORK" "$N" "$P"
echo "generated $N certificates for $P persons ($(du -h "$WORK/certs.csv" | cut -f1))"
PART=500000
tail -n +2 "$WORK/certs.csv" | split -l "$PART" -d -a 3 - "$WORK/part-"
PARTS=()
for f in "$WORK"/part-*; do
  { head -1 "$WORK/certs.csv"; cat "$f"; } >"$f.csv" && rm "$f"
  PARTS+=("$(basename "$f").csv")
done
echo "in ${#PARTS[@]} file(s) of at most $PART rows"

run() { # label, database URL
  local label=$1 url=$2
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import units units.csv >/dev/null 2>&1)
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import persons persons.csv 2>/dev/null | head -1)
  t1=$(date +%s.%N)
  echo "$label: persons $P in $(echo "$t1 - $t0" | bc) s"
  t0=$(date +%s.%N)
  for part in "${PARTS[@]}"; do
    (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import certificates "$part" 2>/dev/null | head -1)
  done
  t1=$(date +%s.%N)
  local secs; secs=$(echo "$t1 - $t0" | bc)
  echo "$label: xueshi import certificates: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" ledger verify | head -1)
}

run sqlite "sqlite://$WORK/bench.db"
t0=$(date +%s.%N)
sqlite3 "$WORK/raw.db" "CREATE TABLE c (id_number TEXT, name TEXT, base TEXT, cert TEXT, course TEXT, hours TEXT, completed TEXT, exam TEXT, for_year TEXT);"
for part in "${PARTS[@]}"; do sqlite3 "$WORK/raw.db" ".import --csv --skip 1 $WORK/$part c"; done
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "sqlite: raw sqlite3 .import: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"

if psql "$PG" -Atc 'select 1' >/dev/null 2>&1; then
  DB=xueshi_bench_import_$$
  psql "$PG" -qc "CREATE DATABASE $DB"
  URL="${PG%/*}/$DB"
  run postgres "$URL"
  psql "$URL" -qc "CREATE TABLE c (id_number TEXT, name TEXT, base TEXT, cert TEXT, course TEXT, hours TEXT, completed TEXT, exam TEXT, for_year TEXT)"
  t0=$(date +%s.%N)
  for part in "${PARTS[@]}"; do psql "$URL" -qc "\\copy c FROM '$WORK/$part' CSV HEADER"; done
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc)
  echo "postgres: raw COPY: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"
  psql "$PG" -qc "DROP DATABASE $DB"
else
  echo "postgres: not reachable at $PG, skipped"
fi
