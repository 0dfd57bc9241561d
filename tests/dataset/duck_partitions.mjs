#!/usr/bin/env node
// DuckDB's side of the store tests' dataset checks (tests/io/store_cli_test.sh):
//   duck_partitions.mjs write SRC.parquet OUT_DIR COLS   COPY SRC TO OUT_DIR (FORMAT parquet, PARTITION_BY (COLS))
//   duck_partitions.mjs same SRC.parquet GLOB             DuckDB reads GLOB (hive_partitioning) and finds
//                                                        exactly SRC's rows (EXCEPT ALL both ways, columns
//                                                        compared as text by name)
//   duck_partitions.mjs same-file SRC.parquet FILE        ... FILE (Parquet) likewise, without partitions
// exit: 0 agree, 1 differ, 2 usage, 77 DuckDB not importable
let duckdb;
try {
  duckdb = await import('@duckdb/node-api');
} catch (e) {
  console.log(`SKIP: cannot import @duckdb/node-api (${e.message.split('\n')[0]})`);
  process.exit(77);
}
const [cmd, src, target, cols] = process.argv.slice(2);
if (!cmd || !src || !target) {
  console.error('usage: duck_partitions.mjs write|same|same-file SRC TARGET [COLS]');
  process.exit(2);
}
const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;
const instance = await duckdb.DuckDBInstance.create(':memory:');
const db = await instance.connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowObjects();

if (cmd === 'write') {
  await rows(`COPY (SELECT * FROM read_parquet(${sq(src)})) TO ${sq(target)} (FORMAT parquet, PARTITION_BY (${cols}))`);
  process.exit(0);
}
const other = cmd === 'same'
  ? `read_parquet(${sq(target)}, hive_partitioning = true)`
  : `read_parquet(${sq(target)})`;
const names = (await rows(`DESCRIBE SELECT * FROM read_parquet(${sq(src)})`)).map((r) => r.column_name);
const list = () => names.map((n) => `CAST("${n.replaceAll('"', '""')}" AS VARCHAR)`).join(', ');
const missing = (await rows(`SELECT count(*) AS n FROM (SELECT ${list()} FROM read_parquet(${sq(src)}) EXCEPT ALL SELECT ${list()} FROM ${other})`))[0].n;
const extra = (await rows(`SELECT count(*) AS n FROM (SELECT ${list()} FROM ${other} EXCEPT ALL SELECT ${list()} FROM read_parquet(${sq(src)}))`))[0].n;
if (missing !== 0n || extra !== 0n) {
  console.log(`differ: ${missing} source rows missing, ${extra} rows not in the source`);
  process.exit(1);
}
process.exit(0);
