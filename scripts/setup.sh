#!/usr/bin/env bash
# Installs every dependency sluice needs from Debian's packages, and the npm packages the tests and
# benchmarks use as peers (DuckDB). Safe to run again. Needs root (or sudo) for apt-get.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pkgs=(
  build-essential cmake ninja-build pkg-config git
  g++ clang clang-14 lld libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libzstd-dev libsnappy-dev zlib1g-dev
  # gzip(1) and zstd(1): the compressed-stream tests read their files and have them read ours.
  gzip zstd
  libthrift-dev thrift-compiler libboost-dev liblz4-dev libbrotli-dev
  libcurl4-openssl-dev libssl-dev
  # Object-store peers for the tests: Ceph radosgw (strict S3) and awscli as a second client;
  # azure-cli as the second client of Azure Blob (the server, azurite, comes from npm).
  radosgw ceph-mon ceph-osd ceph-common awscli curl azure-cli
)
# Node.js and npm may come from elsewhere (a newer npm conflicts with Debian's package): only ask
# Debian for them where the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test and benchmark peers (DuckDB as the independent oracle, azurite for Azure Blob), pinned by package-lock.json.
cd "$here"
if [ ! -d node_modules/@duckdb/node-api ] || [ ! -d node_modules/azurite ]; then
  # The lock pins what this registry serves (linux-x64 bindings only), which `npm ci` rejects for
  # lacking the other platforms' optional bindings; a plain install honours the pinned versions.
  npm install --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
