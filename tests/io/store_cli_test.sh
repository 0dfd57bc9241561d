#!/usr/bin/env bash
# The CLI against a real radosgw (started by the CTest fixture, tests/io/radosgw.sh), with Debian's
# awscli as the second client: uploads and downloads byte-identical across part boundaries, both
# clients reading each other's objects, conversions straight from and to S3, listings, errors that
# name what failed without a secret, and faults (503 SlowDown, cut connections) through
# tests/io/fault_proxy.mjs. Exit 77 (skipped) where radosgw is not installed.
#   store_cli_test.sh SLUICE RADOSGW_ENV_FILE
set -euo pipefail
SLUICE=$1
ENV_FILE=$2
here=$(cd "$(dirname "$0")" && pwd)
if grep -q SLUICE_TEST_S3_UNAVAILABLE "$ENV_FILE" 2>/dev/null; then
  echo "skipped: $(cat "$ENV_FILE")"
  exit 77
fi
# shellcheck disable=SC1090
source <(sed 's/^/export /' "$ENV_FILE")
AWS_BIN=/usr/bin/aws
if [ ! -x "$AWS_BIN" ]; then AWS_BIN=$(command -v aws || true); fi
if [ -z "$AWS_BIN" ]; then
  echo "skipped: awscli is not installed (scripts/setup.sh installs it)"
  exit 77
fi
export AWS_ACCESS_KEY_ID=$SLUICE_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$SLUICE_TEST_S3_SECRET AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=$SLUICE_TEST_S3_ENDPOINT
unset AWS_PROFILE AWS_SESSION_TOKEN
work=$(mktemp -d)
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# awscli splits uploads into 5 MB parts too, so both sides' multipart paths run.
printf '[default]\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n' > "$work/aws.conf"
export AWS_CONFIG_FILE=$work/aws.conf
aws() { "$AWS_BIN" --endpoint-url "$SLUICE_TEST_S3_ENDPOINT" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

bucket=cli-$$-$RANDOM
aws s3 mb "s3://$bucket" >/dev/null
mib=$((1 << 20))

# ---- byte-identical both ways, across the part boundary ----
for size in 0 1 $((5 * mib - 1)) $((5 * mib)) $((5 * mib + 1)) $((23 * mib + 7))
do
  head -c "$size" /dev/urandom > "$work/f"
  "$SLUICE" cp "$work/f" "s3://$bucket/up/f$size" --part-size 5MiB
  aws s3 cp --quiet "s3://$bucket/up/f$size" "$work/back"
  cmp "$work/f" "$work/back" || fail "sluice → awscli, $size bytes"
  aws s3 cp --quiet "$work/f" "s3://$bucket/aws/f$size"
  "$SLUICE" cp "s3://$bucket/aws/f$size" "$work/back2"
  cmp "$work/f" "$work/back2" || fail "awscli → sluice, $size bytes"
done
pass "cp both ways with awscli at 0, 1, 5MiB-1, 5MiB, 5MiB+1, 23MiB+7 bytes"

# ---- streams: stdin to S3, S3 to stdout; into a "folder" keeps the name ----
head -c $((12 * mib)) /dev/urandom > "$work/s"
"$SLUICE" cp - "s3://$bucket/stdin.bin" --part-size 5MiB < "$work/s"
"$SLUICE" cp "s3://$bucket/stdin.bin" - | cmp - "$work/s" || fail "stdin → S3 → stdout"
"$SLUICE" cp "$work/s" "s3://$bucket/folder/"
aws s3 cp --quiet "s3://$bucket/folder/s" "$work/s2" && cmp "$work/s" "$work/s2" || fail "cp into a folder"
pass "stdin/stdout and folders"

# ---- listings ----
out=$("$SLUICE" ls "s3://$bucket/")
want=$(printf 's3://%s/aws/\ns3://%s/folder/\ns3://%s/stdin.bin\ns3://%s/up/' "$bucket" "$bucket" "$bucket" "$bucket")
[ "$out" = "$want" ] || fail "ls: got [$out] want [$want]"
n=$("$SLUICE" ls -r "s3://$bucket/up/" | wc -l)
[ "$n" = 6 ] || fail "ls -r up/: $n entries"
"$SLUICE" ls -l "s3://$bucket/up/f1" | grep -Eq '^ +1  20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}  s3://' || fail "ls -l format"
pass "ls, ls -r, ls -l"

# ---- conversions straight from and to S3, checked against the same conversion done locally ----
examples=$here/../../examples
"$SLUICE" convert "$examples/orders.csv" "s3://$bucket/conv/orders.parquet"
"$SLUICE" convert "s3://$bucket/conv/orders.parquet" "s3://$bucket/conv/orders.ndjson"
"$SLUICE" convert "s3://$bucket/conv/orders.ndjson" "$work/orders.csv" --types order_date=date
"$SLUICE" convert "$examples/orders.csv" "$work/local.parquet"
"$SLUICE" convert "$work/local.parquet" "$work/local.ndjson"
"$SLUICE" convert "$work/local.ndjson" "$work/local.csv" --types order_date=date
cmp "$work/orders.csv" "$work/local.csv" || fail "CSV → S3 Parquet → S3 NDJSON → CSV differs from the local chain"
aws s3 cp --quiet "s3://$bucket/conv/orders.parquet" "$work/aws.parquet"
cmp "$work/aws.parquet" "$work/local.parquet" || fail "the Parquet file written to S3 differs from the local one"
"$SLUICE" head -n 2 "s3://$bucket/conv/orders.parquet" --columns order_id,amount --where "amount > 100" >/dev/null
"$SLUICE" scan "s3://$bucket/conv/orders.ndjson" | grep -q '"rows": ' || fail "scan from S3"
"$SLUICE" schema "s3://$bucket/conv/orders.parquet" >/dev/null
pass "convert/head/scan/schema from and to S3"

# ---- errors: clear, exit 1, never a secret ----
set +e
msg=$(AWS_SECRET_ACCESS_KEY=WRONGSECRETxyz "$SLUICE" cat "s3://$bucket/conv/orders.ndjson" 2>&1 >/dev/null); rc=$?
set -e
[ $rc = 1 ] || fail "wrong secret: exit $rc"
echo "$msg" | grep -q "403" || fail "wrong secret: [$msg]"
echo "$msg" | grep -q "WRONGSECRET" && fail "the secret is in the message: [$msg]"
set +e
msg=$("$SLUICE" cat "s3://$bucket/no/such.csv" 2>&1 >/dev/null); rc=$?
set -e
[ $rc = 1 ] && echo "$msg" | grep -q "s3://$bucket/no/such.csv" && echo "$msg" | grep -q "404" || fail "missing key: $rc [$msg]"
set +e
msg=$("$SLUICE" cp "$work/s" "s3://no-such-bucket-$$/x" 2>&1); rc=$?
set -e
[ $rc = 1 ] && echo "$msg" | grep -q "NoSuchBucket" || fail "missing bucket: $rc [$msg]"
pass "errors: wrong secret, missing key, missing bucket"

# ---- faults: 30% 503 SlowDown and cut connections; byte-identical anyway ----
start_proxy() {
  node "$here/fault_proxy.mjs" "$SLUICE_TEST_S3_ENDPOINT" "$@" > "$work/proxy.out" 2> "$work/proxy.err" &
  proxy_pid=$!
  # node can take seconds to start when the ASan suite loads both cores: wait up to 60 s while it lives
  for _ in $(seq 1 1200); do
    grep -q '^port ' "$work/proxy.out" 2>/dev/null && break
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  proxy_port=$(awk '/^port /{print $2}' "$work/proxy.out")
  [ -n "$proxy_port" ] || { cat "$work/proxy.err" >&2; fail "the fault proxy did not start"; }
}
stop_proxy() { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""; cat "$work/proxy.err"; }
head -c $((31 * mib + 5)) /dev/urandom > "$work/fault"
start_proxy 30 10 7
via=(--endpoint-url "http://127.0.0.1:$proxy_port" --retries 15 --part-size 5MiB)
for i in 1 2 3; do
  "$SLUICE" cp "$work/fault" "s3://$bucket/fault.bin" "${via[@]}"
  "$SLUICE" cp "s3://$bucket/fault.bin" "$work/fault.back" "${via[@]}" --read-ahead 3 --read-block 1MiB
  cmp "$work/fault" "$work/fault.back" || fail "through faults: download differs"
done
stop_proxy
aws s3 cp --quiet "s3://$bucket/fault.bin" "$work/fault.aws"
cmp "$work/fault" "$work/fault.aws" || fail "through faults: the object differs"
pass "cp up and down through 30% 503 SlowDown + 10% cut connections"

# ---- datasets: partitioned output on S3, globs and folders read back, SIGKILL halfway ----
"$SLUICE" convert "$examples/orders.csv" "s3://$bucket/part/" --partition-by paid,customer --to csv.gz
"$SLUICE" convert "$examples/orders.csv" "$work/part/" --partition-by paid,customer --to csv.gz
"$SLUICE" cat "s3://$bucket/part/" --types order_date=date | sort > "$work/part_s3.csv"
"$SLUICE" cat "$work/part/" --types order_date=date | sort > "$work/part_local.csv"
[ "$(wc -l < "$work/part_s3.csv")" = 65 ] || fail "partitioned S3 output: $(wc -l < "$work/part_s3.csv") lines"
cmp "$work/part_s3.csv" "$work/part_local.csv" || fail "partitioned output on S3 differs from the local one"
n=$("$SLUICE" ls "s3://$bucket/part/paid=true/*/*.csv.gz" | wc -l)
m=$(find "$work/part/paid=true" -name '*.csv.gz' | wc -l)
[ "$n" = "$m" ] && [ "$n" -gt 1 ] || fail "ls with a glob: $n files on S3, $m local"
if "$SLUICE" convert "$examples/orders.csv" "s3://$bucket/part/" --partition-by paid 2>/dev/null; then
  fail "writing into a prefix that holds data succeeded without --mode"
fi
pass "partitioned csv.gz on S3 reads back as the local one; globs; --mode error"
# scan reads a dataset's files at once on its threads: the same counts as one thread, csv.gz and
# Parquet files (small ones kept from the schema pass, the rest opened again).
"$SLUICE" convert "$examples/orders.csv" "s3://$bucket/partpq/" --partition-by customer --max-rows-per-file 7
for d in part partpq; do
  one=$("$SLUICE" scan "s3://$bucket/$d/" --threads 1)
  four=$("$SLUICE" scan "s3://$bucket/$d/" --threads 4)
  [ "$one" = "$four" ] || fail "scan of s3://$bucket/$d/ on 4 threads: [$four]; on 1: [$one]"
  echo "$four" | grep -q '"rows": 60, ' || fail "scan of s3://$bucket/$d/: [$four]"
done
pass "scan of S3 datasets (csv.gz, Parquet) on 4 threads counts what 1 thread does"
awk 'BEGIN { print "id,k,p"; for (i = 0; i < 1500000; i++) printf "%d,%d,payload %d\n", i, i % 100, i }' > "$work/big.csv"
"$SLUICE" convert "$work/big.csv" "s3://$bucket/crash/" --partition-by k --max-rows-per-file 5000 &
pid=$!
for _ in $(seq 1 400); do
  uploads=$(aws s3api list-multipart-uploads --bucket "$bucket" --prefix crash/ --query 'length(Uploads || `[]`)' --output text)
  [ "$uploads" -gt 20 ] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || fail "the conversion ended before it could be killed"
wait "$pid" 2>/dev/null || true
[ "$uploads" -gt 20 ] || fail "the conversion never had uploads in flight"
visible=$( (aws s3 ls --recursive "s3://$bucket/crash/" || true) | wc -l)  # (aws s3 ls fails on nothing)
[ "$visible" = 0 ] || fail "killed halfway, $visible objects are visible under crash/"
"$SLUICE" convert "$examples/orders.csv" "s3://$bucket/crash/" --partition-by paid --mode overwrite
[ "$("$SLUICE" cat "s3://$bucket/crash/" | wc -l)" = 65 ] || fail "writing after the crash"
pass "killed halfway with $uploads uploads staged, nothing is visible; the next run writes"

# ---- DuckDB and datasets on S3: each reads what the other wrote (DuckDB through awscli copies: its
# httpfs extension would have to be downloaded) ----
duck=$here/../dataset/duck_partitions.mjs
set +e
node "$duck" >/dev/null 2>&1
duck_rc=$?
set -e
if [ "$duck_rc" = 77 ] || ! command -v node >/dev/null; then
  echo "skipped: DuckDB checks of S3 datasets (@duckdb/node-api not importable; scripts/setup.sh installs it)"
else
  "$SLUICE" convert "$examples/orders.csv" "$work/orders_src.parquet"
  "$SLUICE" convert "$work/orders_src.parquet" "s3://$bucket/duckcheck/sluice/" --partition-by paid,customer
  aws s3 cp --quiet --recursive "s3://$bucket/duckcheck/sluice/" "$work/from_s3/"
  node "$duck" same "$work/orders_src.parquet" "$work/from_s3/**/*.parquet" || fail "DuckDB reading sluice's S3 partitions"
  node "$duck" write "$work/orders_src.parquet" "$work/duck_out" "paid, customer"
  aws s3 cp --quiet --recursive "$work/duck_out/" "s3://$bucket/duckcheck/duck/"
  "$SLUICE" convert "s3://$bucket/duckcheck/duck/" "$work/duck_back.parquet"
  node "$duck" same-file "$work/orders_src.parquet" "$work/duck_back.parquet" || fail "sluice reading DuckDB's partitions on S3"
  pass "DuckDB reads sluice's partitioned S3 output, sluice reads DuckDB's, both with exactly the source rows"
fi

# ---- a final failure leaves nothing: no object, no open multipart upload ----
start_proxy 0 0 1 4   # CreateMultipartUpload and two parts pass, then every PUT fails
set +e
msg=$("$SLUICE" cp "$work/fault" "s3://$bucket/failed.bin" --endpoint-url "http://127.0.0.1:$proxy_port" --retries 2 --part-size 5MiB --parts-in-flight 1 2>&1); rc=$?
set -e
stop_proxy
[ $rc = 1 ] && echo "$msg" | grep -q "503" || fail "final failure: exit $rc [$msg]"
echo "$msg" | grep -q "SlowDown" || fail "final failure names the store's code: [$msg]"
if aws s3api head-object --bucket "$bucket" --key failed.bin >/dev/null 2>&1; then fail "failed upload is visible"; fi
uploads=$(aws s3api list-multipart-uploads --bucket "$bucket" --prefix failed.bin --query 'length(Uploads || `[]`)' --output text)
[ "$uploads" = 0 ] || fail "$uploads multipart uploads left open"
pass "a failed upload leaves no object and no open multipart upload ($msg)"
echo "all store CLI checks passed"
