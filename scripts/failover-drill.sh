#!/usr/bin/env bash
# The failover drill (README "Deploying for a province"): a pg_auto_failover formation (monitor,
# primary, synchronous standby; scripts/ha/formation.sh), two `xueshi serve` instances on its
# multi-host URI, clients registering through both, and ROUNDS times the primary's machine lost
# (kill -9 of its keeper and postmaster). Each round waits for the standby's promotion and for
# the service to answer again — without restarting it — then brings the lost node back as the
# new standby. At the end: every acknowledged registration must be present, no ledger index
# acknowledged twice, and `xueshi ledger verify` must pass. Prints the figures; exits non-zero
# on any lost write.
#
#   scripts/failover-drill.sh [ROUNDS]     (HA_FAST=1: monitor declares a node lost after 10 s;
#                                           PROFILE=release to measure with a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
PROFILE=${PROFILE:-debug}
W=$(mktemp -d /tmp/xueshi-drill.XXXXXX)
chmod 755 "$W"  # the formation runs as the postgres user, under $W
HA=scripts/ha/formation.sh
export HA_DIR=${HA_DIR:-$W/ha}
cleanup() {
  touch "$W/stop"
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  $HA down >/dev/null 2>&1 || true
}
trap cleanup EXIT
. scripts/ha/lib.sh

build_xueshi
echo "== formation (monitor, primary, synchronous standby)"
URL=$($HA up | tail -1)
echo "$URL"
$HA state
echo "== demo data and two instances"
seed_demo "$URL" 200
for i in 1 2; do serve_instance "$URL" "818$i" "$W/serve$i.log"; done
python3 scripts/ha/client.py --instances http://127.0.0.1:8181,http://127.0.0.1:8182 \
  --login demo-unit --password "$UNIT_PW" --threads 4 \
  --out "$W/acked.jsonl" --timeline "$W/timeline.txt" --stop "$W/stop" >"$W/client.out" 2>&1 &
sleep 10
for r in $(seq "$ROUNDS"); do
  old=$($HA primary)
  date +%s.%N >>"$W/kills.txt"
  t0=$(date +%s)
  $HA kill "$old"
  new=""
  for _ in $(seq 300); do
    new=$($HA primary 2>/dev/null || true)
    [ -n "$new" ] && [ "$new" != "$old" ] && break
    sleep 0.5
  done
  [ -n "$new" ] && [ "$new" != "$old" ] || { echo "round $r: no promotion" >&2; $HA state >&2; exit 1; }
  promoted=$(( $(date +%s) - t0 ))
  # The service answers again on its own: a write acknowledged after the kill.
  for _ in $(seq 120); do
    awk -v t="$t0" '$1 > t && $3 == 201 {found=1} END {exit !found}' "$W/timeline.txt" && break
    sleep 0.5
  done
  echo "round $r: primary :$old lost, :$new promoted after ${promoted} s; writes acknowledged again"
  sleep 5
  $HA rejoin "$old"
  $HA wait-sync
done
sleep 5
touch "$W/stop"
wait %% 2>/dev/null || true
sleep 2
echo "== client: $(cat "$W/client.out")"
psql "$URL" -Atc "SELECT id FROM records" >"$W/present.txt"
python3 scripts/ha/check.py --acked "$W/acked.jsonl" --present "$W/present.txt" \
  --timeline "$W/timeline.txt" --kills "$W/kills.txt"
echo "== ledger verify (on the final primary)"
$X --database "$URL" --keys "$W/x.keys" ledger verify
echo "monitor timing: $( [ "${HA_FAST:-0}" = 1 ] && echo 'node_considered_unhealthy_timeout 10 s' || echo "pg_auto_failover's defaults")"
