#!/usr/bin/env bash
# The province benchmark (issue 14) in one run: a demo Lu'an of P persons (default 1,000,000,
# ~22 records each over 2024–2026, ledger included) seeded into SQLite and PostgreSQL, then on
# each backend, with the anchor measured in the same run:
#   - re-deciding one year (`statistics refresh --year Y --all`) — anchor: DuckDB on the same
#     records exported as CSV (scripts/duckdb-anchor.py);
#   - `ledger verify` — anchor: SHA-256 of leaf-sized messages (`openssl speed`, one core);
#   - the compliance read `GET /api/persons/{id}/years/Y/summary` under wrk — anchor: a trivial
#     handler on the same router (crates/web/examples/bench_server.rs).
# Wall and CPU seconds and peak RSS come from /usr/bin/time; each line carries the load average.
# The certificate-import row is scripts/bench-import.sh (a separate run). Not a test.
#
#   scripts/bench-province.sh [P=1000000] [YEAR=2026]
#   WORK=/tmp/dir scripts/bench-province.sh …      # reuse databases seeded before in WORK
#   SKIP_SQLITE=1 / SKIP_PG=1 / SKIP_WRK=1          # leave a backend or the HTTP rows out
#   XUESHI_BIN=… XUESHI_BENCH_SERVER=…              # binaries built before, instead of cargo build
#   SEED_ONLY=1                                     # seed the databases in WORK, measure nothing
set -euo pipefail
cd "$(dirname "$0")/.."
P=${1:-1000000}
YEAR=${2:-2026}
PG=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
WORK=${WORK:-/tmp/xueshi-province-$P}
DUR=${DUR:-20s}
CONN=${CONN:-64}
PORT=${PORT:-8091}
mkdir -p "$WORK"
for tool in sqlite3 python3 openssl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-province: $tool is needed" >&2; exit 1; }
done
[[ -n "${SKIP_WRK:-}" ]] || command -v wrk >/dev/null || { echo "bench-province: wrk is needed (apt-get install -y wrk), or SKIP_WRK=1" >&2; exit 1; }
# XUESHI_BIN / XUESHI_BENCH_SERVER: binaries built before (a fixed commit while the tree moves on).
if [[ -z "${XUESHI_BIN:-}" ]]; then
  cargo build -q --release -p xueshi
  [[ -n "${SKIP_WRK:-}" ]] || cargo build -q --release -p xueshi-web --example bench_server
fi
X=${XUESHI_BIN:-$PWD/target/release/xueshi}
SERVER=${XUESHI_BENCH_SERVER:-$PWD/target/release/examples/bench_server}
[[ -x "$X" ]] || { echo "bench-province: no binary at $X" >&2; exit 1; }
[[ -n "${SKIP_WRK:-}" || -x "$SERVER" ]] || { echo "bench-province: no bench server at $SERVER" >&2; exit 1; }
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
# timed LABEL CMD…: runs CMD, prints its last output line and "LABEL: wall W s, cpu C s, peak rss R MB
# (heap H MB, file pages F MB) (load …)". Heap (RssAnon) and mapped file pages (RssFile: the SQLite
# file under mmap, shared with the kernel's page cache) are sampled from /proc twice a second.
timed() {
  local label=$1; shift
  local before; before=$(load)
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" &
  local tpid=$! anon=0 file=0 a f cpid
  while kill -0 "$tpid" 2>/dev/null; do
    cpid=$(pgrep -P "$tpid" | head -1 || true)
    if [[ -n "$cpid" && -r /proc/$cpid/status ]]; then
      a=$(awk '/^RssAnon/{print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
      f=$(awk '/^RssFile/{print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
      (( ${a:-0} > anon )) && anon=${a:-0}
      (( ${f:-0} > file )) && file=${f:-0}
    fi
    sleep 0.5
  done
  wait "$tpid" || { echo "$label: failed" >&2; tail -5 "$WORK/err" >&2; exit 1; }
  read -r wall user sys rss <"$WORK/time"
  tail -1 "$WORK/out"
  echo "$label: wall ${wall} s, cpu $(echo "$user + $sys" | bc) s, peak rss $((rss / 1024)) MB (heap $((anon / 1024)) MB, file pages $((file / 1024)) MB) (load before $before, after $(load))"
  echo "$wall $(echo "$user + $sys" | bc)" >"$WORK/last"
}
rate() { # COUNT → "N/s wall, M per CPU-second" from $WORK/last
  read -r wall cpu <"$WORK/last"
  echo "$(echo "$1 / $wall" | bc)/s wall, $(echo "$1 / $cpu" | bc) per CPU-second"
}

seed() { # label url
  local label=$1 url=$2
  if [[ -f "$WORK/$label.seeded" ]]; then echo "$label: seeded before"; return; fi
  timed "$label seed ($P persons)" "$X" --database "$url" --keys "$WORK/$label.keys" demo seed --persons "$P"
  touch "$WORK/$label.seeded"
}

serve() { # label url → measures the trivial handler and the compliance read with wrk
  local label=$1 url=$2
  [[ -z "${SKIP_WRK:-}" ]] || return 0
  XUESHI_DATABASE=$url XUESHI_KEYS="$WORK/$label.keys" XUESHI_BENCH_UNIT=1 \
    "$SERVER" "127.0.0.1:$PORT" >"$WORK/server.out" 2>"$WORK/server.err" &
  local pid=$!
  for _ in $(seq 300); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.2; done
  read -r _ city_login city_pw < <(grep '^city_bureau' "$WORK/server.out")
  curl -s -D "$WORK/h" -o /dev/null -H 'content-type: application/json' \
    -d "{\"login\":\"$city_login\",\"password\":\"$city_pw\"}" "http://127.0.0.1:$PORT/api/session"
  local cookie; cookie=$(grep -i '^set-cookie' "$WORK/h" | sed 's/^[^:]*: //; s/;.*//')
  cat >"$WORK/summary.lua" <<LUA
request = function()
  return wrk.format("GET", "/api/persons/" .. math.random(1, $P) .. "/years/$YEAR/summary")
end
LUA
  echo "$label: trivial handler (load $(load))"
  wrk -t2 -c"$CONN" -d"$DUR" --latency "http://127.0.0.1:$PORT/bench/trivial" | grep -E 'Requests/sec|99%|Non-2xx'
  echo "$label: compliance read (load $(load))"
  wrk -t2 -c"$CONN" -d"$DUR" --latency -H "Cookie: $cookie" -s "$WORK/summary.lua" "http://127.0.0.1:$PORT" |
    grep -E 'Requests/sec|99%|Non-2xx'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

measure() { # label url
  local label=$1 url=$2
  seed "$label" "$url"
  [[ -z "${SEED_ONLY:-}" ]] || return 0
  local k="$WORK/$label.keys"
  timed "$label refresh $YEAR" "$X" --database "$url" --keys "$k" statistics refresh --year "$YEAR" --all
  echo "$label refresh $YEAR: $(rate "$P") (person-years)"
  timed "$label ledger verify" "$X" --database "$url" --keys "$k" ledger verify
  local entries; entries=$(grep -oE '[0-9]+ (条|entries)' "$WORK/out" | head -1 | grep -oE '[0-9]+' || true)
  [[ -z "$entries" ]] || echo "$label ledger verify: $(rate "$entries") ($entries entries)"
  serve "$label" "$url"
}

echo "bench-province: $P persons, year $YEAR, $(nproc) CPUs, $(uname -r), load $(load)"
if [[ -z "${SKIP_SQLITE:-}" ]]; then
  SQLITE="sqlite://$WORK/bench.db"
  measure sqlite "$SQLITE"
  ls -l --block-size=M "$WORK/bench.db" | awk '{print "sqlite: database " $5}'
fi
if [[ -z "${SKIP_SQLITE:-}" && -z "${SEED_ONLY:-}" ]]; then
  echo "anchor: exporting the records (load $(load))"
  sqlite3 -csv -header "$WORK/bench.db" \
    "SELECT r.person_id, r.subject, r.form, r.started_on, r.completed_on, r.hours_tenths, r.minutes, r.for_year
       FROM records r WHERE NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id)" >"$WORK/records.csv"
  echo "anchor: $(($(wc -l <"$WORK/records.csv") - 1)) records (load $(load))"
  python3 scripts/duckdb-anchor.py "$WORK/records.csv" "$YEAR"
  echo "anchor: SHA-256 of 256-byte messages, one core (load $(load))"
  openssl speed -seconds 3 -bytes 256 sha256 2>/dev/null | tail -1
fi

if [[ -z "${SKIP_PG:-}" ]]; then
  psql "$PG" -Atc 'select 1' >/dev/null || { echo "bench-province: PostgreSQL does not answer at $PG (or SKIP_PG=1)" >&2; exit 1; }
  DB=xueshi_province_$P
  URL="${PG%/*}/$DB"
  if [[ ! -f "$WORK/postgres.seeded" ]]; then
    psql "$PG" -qc "DROP DATABASE IF EXISTS $DB" && psql "$PG" -qc "CREATE DATABASE $DB"
  fi
  measure postgres "$URL"
  psql "$URL" -Atc "SELECT 'postgres: database ' || pg_size_pretty(pg_database_size('$DB'))"
fi
echo "bench-province: done (load $(load))"
