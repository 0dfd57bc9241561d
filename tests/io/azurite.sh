#!/usr/bin/env bash
# A throwaway azurite (Azure Blob emulator, npm `azurite`, pinned in package.json) on 127.0.0.1 for
# the Azure store tests.
#   azurite.sh start DIR   starts it on a free port (state in DIR, wiped first), writes DIR/env
#                          (SLUICE_TEST_AZURE_*)
#   azurite.sh stop DIR    stops it by its PID
# Where azurite is not installed (scripts/setup.sh runs npm install), `start` writes
# SLUICE_TEST_AZURE_UNAVAILABLE into DIR/env and exits 0: the tests then skip and say why.
# The API version check stays on: the x-ms-version sluice sends must be one azurite knows.
set -euo pipefail
cmd=${1:?start|stop}
D=${2:?state folder}
here=$(cd "$(dirname "$0")/../.." && pwd)
main=$here/node_modules/azurite/dist/src/blob/main.js

stop() {
  local f=$D/azurite.pid p
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  kill "$p" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$f"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi

mkdir -p "$D"
if ! command -v node >/dev/null || [ ! -f "$main" ]; then
  echo "SLUICE_TEST_AZURE_UNAVAILABLE=azurite is not installed (npm install in $here, or scripts/setup.sh)" > "$D/env"
  echo "azurite.sh: not installed; Azure store tests will skip"
  exit 0
fi
stop
rm -rf "$D"
mkdir -p "$D/data"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node "$main" --blobHost 127.0.0.1 --blobPort "$port" --location "$D/data" --silent --disableTelemetry \
  < /dev/null > "$D/azurite.log" 2>&1 &
echo $! > "$D/azurite.pid"
up=0
for _ in $(seq 1 600); do  # up to 60 s: node starts slowly while the ASan suite loads both cores
  if curl -s -o /dev/null "http://127.0.0.1:$port/devstoreaccount1?comp=list"; then up=1; break; fi
  kill -0 "$(cat "$D/azurite.pid")" 2>/dev/null || break
  sleep 0.1
done
if [ $up != 1 ]; then
  echo "azurite.sh: azurite did not answer on port $port; its log:" >&2
  tail -20 "$D/azurite.log" >&2 || true
  stop
  exit 1
fi
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
cat > "$D/env" <<ENV
SLUICE_TEST_AZURE_ENDPOINT=http://127.0.0.1:$port/devstoreaccount1
SLUICE_TEST_AZURE_ACCOUNT=devstoreaccount1
SLUICE_TEST_AZURE_KEY=$key
ENV
echo "azurite.sh: up on 127.0.0.1:$port"
