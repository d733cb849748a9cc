#!/usr/bin/env bash
# Drive a running hikeshi with the real third-party clients: taxii2-client walks our TAXII 2.1
# server (discovery, collections, add objects, poll status, page through objects), PyMISP pushes,
# searches and fetches an event through our MISP-compatible API, and our TAXII feed client pulls
# from medallion (the OASIS reference server) on loopback. Every bundle the CLI exports on the way
# is handed to the STIX validator (scripts/external/stix_check.sh, STIX_EXTRA_DIR).
# Env: HIKESHI_BIN (built binary), VENV (default $SCRATCH/venv-sharing). Fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=${SCRATCH:-/tmp/hikeshi-external}
VENV=${VENV:-$SCRATCH/venv-sharing}
BIN=${HIKESHI_BIN:?set HIKESHI_BIN to the hikeshi binary}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r scripts/external/requirements-sharing.txt

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HK_PORT=$(free_port); MED_PORT=$(free_port)
data="$work/hikeshi"
"$BIN" --data-dir "$data" migrate >/dev/null
"$BIN" --data-dir "$data" user add checker --role admin >/dev/null
TOKEN=$("$BIN" --data-dir "$data" user token checker --name external)
"$BIN" --data-dir "$data" serve --listen "127.0.0.1:$HK_PORT" >"$work/serve.log" 2>&1 &
pids+=($!)

# medallion with one empty collection, written to by taxii2-client before our feed pulls it.
cat >"$work/medallion.json" <<JSON
{"backend": {"module_class": "MemoryBackend", "module": "medallion.backends.memory_backend", "filename": "$work/medallion-data.json"},
 "users": {"feeduser": "feedpass"}, "taxii": {"max_page_size": 2}}
JSON
cat >"$work/medallion-data.json" <<JSON
{"/discovery": {"title": "medallion", "description": "reference server", "default": "http://127.0.0.1:$MED_PORT/api1/",
                "api_roots": ["http://127.0.0.1:$MED_PORT/api1/"]},
 "api1": {"information": {"title": "api1", "description": "", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 9765625},
          "status": [], "collections": [{"id": "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4", "title": "feed", "description": "", "can_read": true,
          "can_write": true, "media_types": ["application/stix+json;version=2.1"], "objects": [], "manifest": []}]}}
JSON
"$VENV/bin/medallion" --host 127.0.0.1 --port "$MED_PORT" "$work/medallion.json" >"$work/medallion.log" 2>&1 &
pids+=($!)

up() { python3 -c 'import sys, urllib.request, urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError: pass
except Exception: sys.exit(1)' "$1"; }
for _ in $(seq 1 150); do
  if up "http://127.0.0.1:$HK_PORT/health" && up "http://127.0.0.1:$MED_PORT/taxii2/"; then break; fi
  sleep 0.2
done

mkdir -p "$work/bundles"
status=0
HIKESHI_URL="http://127.0.0.1:$HK_PORT" HIKESHI_TOKEN="$TOKEN" MEDALLION_URL="http://127.0.0.1:$MED_PORT" \
  HIKESHI_BIN="$BIN" HIKESHI_DATA="$data" BUNDLES="$work/bundles" \
  "$VENV/bin/python" scripts/external/sharing_check.py || status=$?
if [ "$status" != 0 ]; then
  echo "--- hikeshi log"; tail -n 30 "$work/serve.log"; echo "--- medallion log"; tail -n 30 "$work/medallion.log"
  exit "$status"
fi
# Every bundle exported on the way must pass the STIX validator in strict mode.
VENV="$SCRATCH/venv-stix" STIX_EXTRA_DIR="$work/bundles" scripts/external/stix_check.sh "$work/stix-samples"
