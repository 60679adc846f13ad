#!/usr/bin/env bash
# Load figures for the JSON API (issue: workflows over HTTP), measured with wrk on loopback
# against a database of P persons (default 1,000,000) with N base certificates (default 2 per
# person), on SQLite and then PostgreSQL. For each backend, in the same run and on the same
# router: a trivial handler (the framework's limit), the compliance read of a random person's
# year from its kept summary (`GET /api/persons/{id}/years/2026/summary`), the full decision with
# citations (`GET /api/persons/{id}/years/2026`, the engine on every request) and record registration
# (`POST /api/persons/{id}/records`, ledger and signed checkpoint included). Not a test.
#
#   scripts/bench-api.sh [P] [N]          (DUR=20s CONN=64 THREADS=2 to change wrk's settings;
#                                          PG_PERSONS=n measures PostgreSQL on the first n persons)
set -euo pipefail
cd "$(dirname "$0")/.."
P=${1:-1000000}
N=${2:-$((2 * P))}
DUR=${DUR:-20s}
CONN=${CONN:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-8089}
PG=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d /tmp/xueshi-bench-api.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
cargo build -q --release -p xueshi
cargo build -q --release -p xueshi-web --example bench_server
X=$PWD/target/release/xueshi
SERVER=$PWD/target/release/examples/bench_server
python3 scripts/gen_bench_data.py "$WORK" "$N" "$P"
echo "generated $P persons and $N certificates"

for what in summary decision; do
  suffix=$([[ $what == summary ]] && echo /summary || true)
  cat >"$WORK/$what.lua" <<LUA
local persons = $P
request = function()
  return wrk.format("GET", "/api/persons/" .. math.random(1, persons) .. "/years/2026$suffix")
end
LUA
done
# Persons of the first unit: person i (1-based id i + 1) works for unit i % 10.
cat >"$WORK/write.lua" <<LUA
local staff = math.floor(($P - 1) / 10)
local body = '{"content":"基准测试","subject":"professional","form":"academic","completed_on":"2026-11-01","hours":"1"}'
request = function()
  local id = 1 + 10 * math.random(0, staff)
  return wrk.format("POST", "/api/persons/" .. id .. "/records", nil, body)
end
LUA

login() { # login password → "cookie csrf"
  local out
  out=$(curl -s -D "$WORK/h" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$PORT/api/session")
  echo "$(grep -i '^set-cookie' "$WORK/h" | sed 's/^[^:]*: //; s/;.*//') $(jq -r .csrf_token <<<"$out")"
}

measure() { # label url
  local label=$1 url=$2 t0 t1
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import units units.csv >/dev/null 2>&1)
  t0=$(date +%s)
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import persons persons.csv 2>/dev/null | head -1)
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import certificates certs.csv 2>/dev/null | head -1)
  t1=$(date +%s)
  echo "$label: loaded in $((t1 - t0)) s"
  XUESHI_DATABASE=$url XUESHI_KEYS="$WORK/$label.keys" XUESHI_BENCH_UNIT=1 \
    "$SERVER" "127.0.0.1:$PORT" >"$WORK/server.out" 2>"$WORK/server.err" &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.2; done
  read -r _ city_login city_pw < <(grep '^city_bureau' "$WORK/server.out")
  read -r _ unit_login unit_pw < <(grep '^unit_admin' "$WORK/server.out")
  read -r city_cookie _ < <(login "$city_login" "$city_pw")
  read -r unit_cookie unit_csrf < <(login "$unit_login" "$unit_pw")
  local base="http://127.0.0.1:$PORT"
  echo "$label: load average $(cut -d' ' -f1-3 /proc/loadavg) before wrk"
  echo "== $label trivial handler"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency "$base/bench/trivial" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  echo "== $label compliance read (kept summary)"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency -H "Cookie: $city_cookie" -s "$WORK/summary.lua" "$base" |
    grep -E 'Requests/sec|50%|99%|Non-2xx'
  echo "== $label full decision (engine, with citations)"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency -H "Cookie: $city_cookie" -s "$WORK/decision.lua" "$base" |
    grep -E 'Requests/sec|50%|99%|Non-2xx'
  echo "== $label record registration (ledger)"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency -H "Cookie: $unit_cookie" -H "X-CSRF-Token: $unit_csrf" \
    -H 'Content-Type: application/json' -s "$WORK/write.lua" "$base" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" ledger verify | head -1)
}

measure sqlite "sqlite://$WORK/bench.db"
if [[ -n "${PG_PERSONS:-}" && "$PG_PERSONS" -lt "$P" ]]; then
  P=$PG_PERSONS
  N=$((2 * P))
  python3 scripts/gen_bench_data.py "$WORK" "$N" "$P"
  sed -i "s/^local persons = .*/local persons = $P/" "$WORK"/summary.lua "$WORK"/decision.lua
  sed -i "s/^local staff = .*/local staff = math.floor(($P - 1) \/ 10)/" "$WORK"/write.lua
  echo "postgres: $P persons and $N certificates"
fi
if psql "$PG" -Atc 'select 1' >/dev/null 2>&1; then
  DB=xueshi_bench_api_$$
  psql "$PG" -qc "CREATE DATABASE $DB"
  trap 'kill $(jobs -p) 2>/dev/null || true; psql "$PG" -qc "DROP DATABASE IF EXISTS $DB"; rm -rf "$WORK"' EXIT
  measure postgres "${PG%/*}/$DB"
else
  echo "postgres: not reachable at $PG (skipped)"
fi
