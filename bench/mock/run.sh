#!/usr/bin/env bash
# Measure satchel-mock against its peers (Prism, Mockoon, WireMock, connexion) in ONE run of
# the shared harness, and write one table: bench/mock/results.md (+ results*.json, raw/).
#
#   bash bench/mock/run.sh            # installs the peers first if needed (~5 min, /opt/peers)
#
# Two rows for satchel-mock, as the peers have two: default logging (a JSON line per request)
# against Prism's defaults, and --quiet against `prism -v error`. The harness writes into its
# own folder (raw/, mockoon/petstore-env.json), and the shared folder may be read-only, so it
# runs from a private copy. Knobs: SKIP_INSTALL=1, plus the harness's own (DURATION, ONLY, ...).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench-peers}
[ -d "$SHARED" ] || SHARED=/work/shared/bench-peers
MOCK=$ROOT/.venv/bin/satchel-mock
PYTHON=$ROOT/.venv/bin/python
VERSION=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("satchel"))')
GRANIAN=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("granian"))')

[ -x "$MOCK" ] || { echo "missing $MOCK: run .venv/bin/pip install -e ." >&2; exit 1; }
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  bash "$SHARED/install-peers.sh"
fi

WORK=$(mktemp -d /tmp/satchel-mock-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -r "$SHARED" "$WORK/harness"
chmod -R u+w "$WORK/harness"
mkdir -p "$HERE/raw"

# 1. Every peer (or ONLY=...,mut), plus satchel-mock with its default request logging (stdout -> file, as Prism).
MUT_NAME="satchel-mock (defaults)" MUT_VERSION="$VERSION (granian $GRANIAN)" \
  MUT_CMD="$MOCK serve --port {port} {spec}" \
  OUT_MD="$WORK/all.md" OUT_JSON="$HERE/results-all.json" \
  bash "$WORK/harness/run-peers.sh" >"$WORK/run1.log" 2>&1 || { cat "$WORK/run1.log"; exit 1; }

# 2. satchel-mock --quiet, in the same session, for the quiet-against-quiet comparison.
ONLY=mut MUT_NAME="satchel-mock --quiet" MUT_VERSION="$VERSION (granian $GRANIAN)" \
  MUT_CMD="$MOCK serve --quiet --port {port} {spec}" \
  OUT_MD="$WORK/quiet.md" OUT_JSON="$HERE/results-quiet.json" \
  bash "$WORK/harness/run-peers.sh" >"$WORK/run2.log" 2>&1 || { cat "$WORK/run2.log"; exit 1; }

cp -r "$WORK/harness/raw/." "$HERE/raw/"
"$PYTHON" "$HERE/report.py" "$HERE/results-all.json" "$HERE/results-quiet.json" \
  --harness-md "$WORK/all.md" --baseline "$SHARED/baseline-2026-11-27.md" >"$HERE/results.md"
cat "$HERE/results.md"
