# Shared by the deployment drills (sourced, not run): build the binary, seed a demo, start an
# instance of `xueshi serve` and wait until it is ready. Expects W (the drill's folder) and
# PROFILE (debug or release); sets X (the binary) and UNIT_PW (the demo unit's password).

build_xueshi() {
  if [ "$PROFILE" = release ]; then cargo build -q --release -p xueshi; else cargo build -q -p xueshi; fi
  X=$PWD/target/$PROFILE/xueshi
}

seed_demo() { # url persons → UNIT_PW
  (cd "$W" && $X --database "$1" --keys "$W/x.keys" demo seed --persons "$2" >"$W/seed.out" 2>&1)
  read -r _ UNIT_PW _ < <(grep -E '^ +demo-unit ' "$W/seed.out")
}

# A port that already answers belongs to another server (an earlier run left behind?): the
# drill would measure that one. Refuse.
free() { for a in "$@"; do ! curl -s -o /dev/null --max-time 2 "http://$a/" || { echo "$a is already in use" >&2; exit 1; }; done; }

serve_instance() { # url port log → serves on 127.0.0.1:port, operators' endpoints on port+1000
  local url=$1 port=$2 log=$3 ops=$(( $2 + 1000 ))
  free "127.0.0.1:$port" "127.0.0.1:$ops"
  # exec: the job is the server itself, so the drill's `kill $(jobs -p)` stops it.
  (cd "$W" && XUESHI_LOG=warn exec $X --database "$url" --keys "$W/x.keys" serve \
    --listen "127.0.0.1:$port" --ops-listen "127.0.0.1:$ops" >"$log" 2>&1) &
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$ops/readyz" >/dev/null && return 0; sleep 0.5; done
  echo "the instance on :$port did not start" >&2; cat "$log" >&2; exit 1
}
