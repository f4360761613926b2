#!/usr/bin/env bash
# Throughput of this checkout's satchel-mock against another checkout's (default: main), in
# ONE session, alternating, on the shared harness's petstore and request (GET /pets/1):
#
#   bash bench/mock/ab.sh [OTHER_CHECKOUT]      # ~3 min; prints req/s per round and the ratio
#
# A lighter check than run.sh (no peers, no quiet-machine wait): rounds alternate A and B so
# that load from other processes falls on both alike. Knobs: ROUNDS, DURATION, CONNS.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OTHER=${1:-$ROOT/../../main}
[ -x "$OTHER/.venv/bin/satchel-mock" ] || OTHER=/work/main
SPEC=${SPEC:-/work/shared/bench-peers/specs/petstore.yaml}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
CONNS=${CONNS:-32}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

measure() { # checkout -> req/s
  local port pid rps
  port=$(free_port)
  "$1/.venv/bin/satchel-mock" serve --quiet --no-reload --port "$port" "$SPEC" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/pets/1" >/dev/null && break; sleep 0.1; done
  wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$port/pets/1" >/dev/null   # warm-up
  rps=$(wrk -t2 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$port/pets/1" | awk '/Requests\/sec/ {print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rps"
}

a_total=0; b_total=0
for round in $(seq "$ROUNDS"); do
  a=$(measure "$ROOT"); b=$(measure "$OTHER")
  echo "round $round: this checkout $a req/s, $(basename "$OTHER") $b req/s"
  a_total=$(python3 -c "print($a_total + $a)"); b_total=$(python3 -c "print($b_total + $b)")
done
python3 -c "print(f'ratio this/other: {$a_total / $b_total:.3f} (over $ROUNDS rounds)')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
