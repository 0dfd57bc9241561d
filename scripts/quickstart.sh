#!/usr/bin/env bash
# A newcomer's first run: install dependencies, build (Release), and use sluice on the sample file.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
sluice=build/tools/sluice/sluice
echo; echo "\$ sluice schema examples/orders.csv"; "$sluice" schema examples/orders.csv
echo; echo "\$ sluice head examples/orders.csv -n 5"; "$sluice" head examples/orders.csv -n 5
echo; echo "\$ sluice scan examples/orders.csv"; "$sluice" scan examples/orders.csv
echo; echo "\$ sluice convert examples/orders.csv build/orders.tsv"; "$sluice" convert examples/orders.csv build/orders.tsv
head -n 3 build/orders.tsv
echo; echo "\$ sluice schema examples/events.ndjson"; "$sluice" schema examples/events.ndjson
echo; echo "\$ sluice convert examples/events.ndjson build/events.csv"; "$sluice" convert examples/events.ndjson build/events.csv
head -n 3 build/events.csv
echo; echo "\$ sluice cat examples/orders.csv --to ndjson | head -n 2"; "$sluice" cat examples/orders.csv --to ndjson | head -n 2
echo; echo "\$ sluice schema examples/orders.parquet"; "$sluice" schema examples/orders.parquet
echo; echo "\$ sluice head examples/orders.parquet -n 3 --columns order_id,amount,lines,tags --where \"amount > 100\""
"$sluice" head examples/orders.parquet -n 3 --columns order_id,amount,lines,tags --where "amount > 100"
echo; echo "\$ sluice inspect examples/orders.parquet | head -n 8"; "$sluice" inspect examples/orders.parquet | head -n 8
echo; echo "\$ sluice convert examples/orders.csv build/orders.parquet --compression zstd"
"$sluice" convert examples/orders.csv build/orders.parquet --compression zstd
echo; echo "\$ sluice head build/orders.parquet -n 3 --where \"paid = true\""; "$sluice" head build/orders.parquet -n 3 --where "paid = true"
echo; echo "\$ sluice convert examples/orders.csv build/orders_by_paid/ --partition-by paid --to csv.gz --mode overwrite"
"$sluice" convert examples/orders.csv build/orders_by_paid/ --partition-by paid --to csv.gz --mode overwrite
"$sluice" ls -r build/orders_by_paid/
echo; echo "\$ sluice scan 'build/orders_by_paid/**/*.csv.gz' --where \"paid = true\""
"$sluice" scan 'build/orders_by_paid/**/*.csv.gz' --where "paid = true"
