#!/usr/bin/env bash
# The CLI against a real azurite (started by the CTest fixture, tests/io/azurite.sh), with Debian's
# azure-cli as the second client: each reads what the other wrote (single Put Blob and block
# uploads), conversions straight from and to a container, listings, credentials from a connection
# string or AZURE_STORAGE_ACCOUNT/KEY, errors that never show the key. Exit 77 (skipped) where
# azurite or az is not installed.
#   azure_cli_test.sh SLUICE AZURITE_ENV_FILE
set -euo pipefail
SLUICE=$1
ENV_FILE=$2
if grep -q SLUICE_TEST_AZURE_UNAVAILABLE "$ENV_FILE" 2>/dev/null; then
  echo "skipped: $(cat "$ENV_FILE")"
  exit 77
fi
if ! command -v az >/dev/null; then
  echo "skipped: azure-cli (az) is not installed (scripts/setup.sh installs it)"
  exit 77
fi
# shellcheck disable=SC1090
source <(sed 's/^/export /' "$ENV_FILE")
EP=$SLUICE_TEST_AZURE_ENDPOINT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CONFIG_DIR=$work/az AZURE_CORE_ONLY_SHOW_ERRORS=true
unset AZURE_STORAGE_CONNECTION_STRING AZURE_STORAGE_SAS_TOKEN AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY
CS="DefaultEndpointsProtocol=http;AccountName=$SLUICE_TEST_AZURE_ACCOUNT;AccountKey=$SLUICE_TEST_AZURE_KEY;BlobEndpoint=$EP;"
azs() { az storage "$@" --connection-string "$CS" --only-show-errors; }
# sluice with the account and key in the environment and the endpoint as a flag.
sl() { AZURE_STORAGE_ACCOUNT=$SLUICE_TEST_AZURE_ACCOUNT AZURE_STORAGE_KEY=$SLUICE_TEST_AZURE_KEY "$SLUICE" "$@" --endpoint-url "$EP"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

c=cli-$$-$RANDOM
azs container create -n "$c" >/dev/null
mib=$((1 << 20))

# ---- byte-identical both ways, below, at and above one 5 MiB part ----
for size in 0 1 $((5 * mib - 1)) $((5 * mib)) $((5 * mib + 1)) $((13 * mib + 7)); do
  head -c "$size" /dev/urandom > "$work/f"
  sl cp "$work/f" "az://$c/up/f$size" --part-size 5MiB
  azs blob download --no-progress -c "$c" -n "up/f$size" -f "$work/back" >/dev/null
  cmp "$work/f" "$work/back" || fail "sluice → az, $size bytes"
  azs blob upload --no-progress -c "$c" -n "az/f$size" -f "$work/f" --overwrite >/dev/null
  sl cp "az://$c/az/f$size" "$work/back2"
  cmp "$work/f" "$work/back2" || fail "az → sluice, $size bytes"
done
pass "cp both ways with az at 0, 1, 5MiB-1, 5MiB, 5MiB+1, 13MiB+7 bytes"

# ---- the connection string alone (no flag) is enough ----
head -c 1000 /dev/urandom > "$work/g"
AZURE_STORAGE_CONNECTION_STRING=$CS "$SLUICE" cp "$work/g" "az://$c/cs/g.bin"
AZURE_STORAGE_CONNECTION_STRING=$CS "$SLUICE" cp "az://$c/cs/g.bin" "$work/g2"
cmp "$work/g" "$work/g2" || fail "connection string round trip"
pass "AZURE_STORAGE_CONNECTION_STRING alone"

# ---- conversions straight from and to the container ----
{
  echo "id,name,score"
  for i in $(seq 1 2000); do echo "$i,name $i,$((i * 7 % 101)).5"; done
} > "$work/t.csv"
azs blob upload --no-progress -c "$c" -n "data/t.csv" -f "$work/t.csv" --overwrite >/dev/null
sl convert "az://$c/data/t.csv" "az://$c/data/t.parquet"
sl convert "az://$c/data/t.parquet" "$work/t.ndjson"
"$SLUICE" convert "$work/t.csv" "$work/t-local.ndjson"
cmp "$work/t.ndjson" "$work/t-local.ndjson" || fail "csv → parquet on azure → ndjson differs from a local conversion"
azs blob download --no-progress -c "$c" -n "data/t.parquet" -f "$work/t-az.parquet" >/dev/null
"$SLUICE" convert "$work/t-az.parquet" "$work/t-az.ndjson"
cmp "$work/t.ndjson" "$work/t-az.ndjson" || fail "the parquet az downloaded reads differently"
pass "convert az:// → az:// → local, same rows as a local conversion"

# ---- listings agree with az ----
sl ls "az://$c/up/" > "$work/ls"
az_names=$(azs blob list -c "$c" --prefix up/ --query "[].name" -o tsv | sort | sed "s|^|az://$c/|")
[ "$(cat "$work/ls")" = "$az_names" ] || { diff <(cat "$work/ls") <(echo "$az_names") >&2; fail "ls up/ differs from az blob list"; }
sl ls "az://$c/" > "$work/top"
printf 'az://%s/az/\naz://%s/cs/\naz://%s/data/\naz://%s/up/\n' "$c" "$c" "$c" "$c" | cmp - "$work/top" || { cat "$work/top" >&2; fail "ls of the container's top"; }
n=$(sl ls -r "az://$c/" | wc -l)
[ "$n" = 15 ] || fail "ls -r counted $n blobs, not 15"
sl ls -l "az://$c/up/f1" | grep -q "^ *1  20[0-9][0-9]-" || fail "ls -l shows size and time"
pass "ls, ls -r, ls -l"

# ---- errors: missing blob, wrong key (never shown) ----
if sl cp "az://$c/nope.csv" "$work/x" 2> "$work/err"; then fail "a missing blob copied"; fi
grep -q "az://$c/nope.csv" "$work/err" || { cat "$work/err" >&2; fail "the error names the blob"; }
grep -q "404" "$work/err" || { cat "$work/err" >&2; fail "the error says 404"; }
wrong=$(printf 'a wrong key, 32 bytes of it......' | base64)
if AZURE_STORAGE_ACCOUNT=$SLUICE_TEST_AZURE_ACCOUNT AZURE_STORAGE_KEY=$wrong "$SLUICE" cp "az://$c/cs/g.bin" "$work/x" \
    --endpoint-url "$EP" 2> "$work/err"; then
  fail "a wrong key read a blob"
fi
grep -q 403 "$work/err" || { cat "$work/err" >&2; fail "wrong key: no 403"; }
if grep -qF "$wrong" "$work/err" || grep -qF "$SLUICE_TEST_AZURE_KEY" "$work/err"; then fail "a key in the message"; fi
pass "missing blob and wrong key: clear errors, no key shown"

azs container delete -n "$c" >/dev/null
echo "all Azure CLI checks passed"
