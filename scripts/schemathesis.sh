#!/usr/bin/env bash
# Checks the running service against its own OpenAPI document (/api/openapi.json) with
# schemathesis: every answer must be documented (status, media type, body schema) and none may
# be a server error. Three passes over every operation: without credentials, and with the API
# tokens of the two roles the demo gives one (继续教育基地 demo-base, 培训机构 demo-provider).
#
#   scripts/schemathesis.sh            # N examples per operation and pass (default 8)
#   SCHEMATHESIS_EXAMPLES=50 scripts/schemathesis.sh
#
# Installs schemathesis (pinned) from PyPI into target/schemathesis/venv; needs python3 with
# venv and pip. Starts target/debug/xueshi serve --demo (built here) on a free port in a
# temporary folder; its database is thrown away afterwards, so operations that change state
# are exercised like the others. Exits non-zero on any failed check.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-8}
PERSONS=${SCHEMATHESIS_PERSONS:-200}
VENV=$PWD/target/schemathesis/venv
ST=$VENV/bin/schemathesis

command -v python3 >/dev/null || { echo "python3 is required for schemathesis" >&2; exit 1; }
python3 -c 'import venv, ensurepip' 2>/dev/null || {
  echo "python3's venv and ensurepip modules are required (Debian: apt-get install python3-venv)" >&2
  exit 1
}
if ! { [ -x "$ST" ] && "$VENV/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $VERSION"; }; then
  echo "== installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" || {
    echo "pip could not install schemathesis $VERSION from PyPI" >&2
    exit 1
  }
fi
[ -x "$ST" ] || { echo "schemathesis is not installed in $VENV" >&2; exit 1; }

echo "== building xueshi"
cargo build -q --locked -p xueshi
X=$PWD/target/debug/xueshi

W=$(mktemp -d "${TMPDIR:-/tmp}/xueshi-schemathesis-XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT

echo "== xueshi serve --demo on $BASE (in $W)"
# exec: $SERVER is the server itself, which cleanup stops by its id.
(cd "$W" && XUESHI_LOG=warn exec "$X" serve --demo --demo-persons "$PERSONS" --listen "127.0.0.1:$PORT" \
  >"$W/out" 2>"$W/err") &
SERVER=$!
for _ in $(seq 240); do
  curl -sf -o /dev/null "$BASE/api/health" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "xueshi serve --demo exited:" >&2; cat "$W/err" >&2; exit 1; }
  sleep 0.5
done
curl -sf -o /dev/null "$BASE/api/health" || { echo "xueshi did not start" >&2; cat "$W/err" >&2; exit 1; }

# The demo prints one line per account ("  login  password  role（acts for）") and, under an
# account with an API token, "API 令牌：xs_…".
token_of() { # login → that account's API token
  awk -v login="$1" '
    /API 令牌：/ { if (last == login) { sub(/.*API 令牌：/, ""); print $1; exit } next }
    /^ +demo-/ { last = $1 }' "$W/out"
}
BASE_TOKEN=$(token_of demo-base)
PROVIDER_TOKEN=$(token_of demo-provider)
[ -n "$BASE_TOKEN" ] && [ -n "$PROVIDER_TOKEN" ] || {
  echo "the demo printed no API token for a base or a provider:" >&2
  cat "$W/out" >&2
  exit 1
}

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
started=$(date +%s)
failed=0
pass() { # name [schemathesis options…]
  local name=$1
  shift
  echo "== schemathesis: $name ($EXAMPLES examples per operation)"
  # --seed: the same cases every run, so that a failure in CI reproduces here.
  if ! "$ST" run "$BASE/api/openapi.json" --checks "$CHECKS" --max-examples "$EXAMPLES" \
    --seed 20261203 --workers 2 --request-timeout 30 --no-color "$@" \
    --report junit --report-junit-path "$PWD/target/schemathesis/$name.xml"; then
    failed=1
  fi
}

pass anonymous
pass base -H "Authorization: Bearer $BASE_TOKEN"
pass provider -H "Authorization: Bearer $PROVIDER_TOKEN"

if grep -q -E 'panicked|internal error' "$W/err"; then
  echo "the server logged an internal error:" >&2
  grep -E 'panicked|internal error' "$W/err" | head -20 >&2
  failed=1
fi
echo "== schemathesis: $(( $(date +%s) - started )) s for three passes"
exit "$failed"
