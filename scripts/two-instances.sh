#!/usr/bin/env bash
# Several `xueshi serve` instances on one PostgreSQL (README "Deploying for a province"): clients
# register through one instance for SECS seconds, then through two; every acknowledged
# registration must be in the database, no ledger entry index acknowledged twice, and
# `xueshi ledger verify` must pass. Prints the throughput of one and of two instances.
# Uses a fresh database on the server of XUESHI_TEST_POSTGRES (dropped at the end).
#
#   scripts/two-instances.sh [SECS]        (default 15; PROFILE=release for figures)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-15}
PROFILE=${PROFILE:-debug}
ADMIN=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
NAME=xueshi_two_$$
URL="${ADMIN%/*}/$NAME"
W=$(mktemp -d /tmp/xueshi-two.XXXXXX)
cleanup() {
  touch "$W/stop"
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
. scripts/ha/lib.sh
build_xueshi
psql "$ADMIN" -qc "CREATE DATABASE $NAME"
seed_demo "$URL" 200
for i in 1 2; do serve_instance "$URL" "828$i" "$W/serve$i.log"; done
touch "$W/acked.jsonl"
run() { # label instances
  rm -f "$W/stop"
  local before after
  before=$(wc -l <"$W/acked.jsonl")
  python3 scripts/ha/client.py --instances "$2" --login demo-unit --password "$UNIT_PW" \
    --threads 8 --out "$W/acked.jsonl" --timeline "$W/timeline.txt" --stop "$W/stop" >"$W/client.out" 2>&1 &
  local pid=$!
  sleep "$SECS"; touch "$W/stop"; wait $pid
  after=$(wc -l <"$W/acked.jsonl")
  echo "$1: $(( (after - before) / SECS )) acknowledged registrations/s ($(cat "$W/client.out"))"
}
run "one instance " http://127.0.0.1:8281
run "two instances" http://127.0.0.1:8281,http://127.0.0.1:8282
curl -s http://127.0.0.1:9281/metrics | grep -E '^xueshi_registration_batch_size_(count|sum)|^xueshi_ledger_entries'
psql "$URL" -Atc "SELECT id FROM records" >"$W/present.txt"
python3 scripts/ha/check.py --acked "$W/acked.jsonl" --present "$W/present.txt"
$X --database "$URL" --keys "$W/x.keys" ledger verify
