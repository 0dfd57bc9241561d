#!/usr/bin/env node
// DuckDB as the oracle for sluice's datasets: partitioned writes DuckDB reads back (hive_partitioning)
// with exactly the source rows, DuckDB's own partitioned output read by sluice with exactly its rows,
// gzip / zstd text streams both ways, and crash safety: a conversion killed with SIGKILL halfway
// through leaves an overwritten destination as it was and an appended one with only complete files.
//
// usage: node tests/dataset/dataset_oracle.mjs path/to/sluice
// exit: 0 all cases agree, 1 any case failed, 2 usage, 77 skipped (DuckDB not importable)

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SKIP = 77;
let duckdb;
try {
  duckdb = await import('@duckdb/node-api');
} catch (e) {
  console.log(`SKIP: cannot import @duckdb/node-api (${e.message.split('\n')[0]}); run scripts/setup.sh`);
  process.exit(SKIP);
}
const sluice = process.argv[2];
if (!sluice || !fs.existsSync(sluice)) {
  console.error('usage: node dataset_oracle.mjs path/to/sluice');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dataset-oracle-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const at = (p) => path.join(tmp, p);
const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;

const instance = await duckdb.DuckDBInstance.create(':memory:');
const db = await instance.connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowObjects();
const one = async (sql) => Object.values((await rows(sql))[0])[0];

let failures = 0;
function fail(name, msg) {
  failures++;
  console.log(`FAIL ${name}: ${msg}`);
}
function pass(name, msg = '') {
  console.log(`ok   ${name}${msg ? ': ' + msg : ''}`);
}

function run(args, name) {
  const r = spawnSync(sluice, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    fail(name, `sluice ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return false;
  }
  return true;
}

// The source: every partition value that needs escaping, nulls, empty strings, several types.
await rows(`CREATE TABLE src AS
  SELECT i::BIGINT AS id,
         (2020 + i % 5)::INTEGER AS year,
         (1 + i % 12)::INTEGER AS month,
         (['a/b', '..', 'x y', '100%', 'é', NULL, '', 'q=1', 'tab' || chr(9), '#?'])[1 + i % 10] AS cat,
         CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.5 END AS v,
         DATE '2024-01-01' + (i % 400)::INTEGER AS d,
         'row ' || i AS s
  FROM range(30000) t(i)`);
await rows(`COPY src TO ${sq(at('src.parquet'))} (FORMAT parquet)`);
const srcCols = 'id, "year", "month", cat, v, d, s';
const typed = 'id::BIGINT AS id, "year"::INTEGER AS "year", "month"::INTEGER AS "month", cat::VARCHAR AS cat, v::DOUBLE AS v, d::DATE AS d, s::VARCHAR AS s';

// Both ways EXCEPT ALL against src, with the columns cast to src's types.
async function same(name, relation) {
  const sql = `(SELECT ${typed} FROM ${relation})`;
  const missing = await one(`SELECT count(*) FROM (SELECT ${srcCols} FROM src EXCEPT ALL SELECT ${srcCols} FROM ${sql})`);
  const extra = await one(`SELECT count(*) FROM (SELECT ${srcCols} FROM ${sql} EXCEPT ALL SELECT ${srcCols} FROM src)`);
  const n = await one(`SELECT count(*) FROM ${sql}`);
  if (missing !== 0n || extra !== 0n) fail(name, `${missing} source rows missing, ${extra} rows not in the source (${n} rows)`);
  else pass(name, `${n} rows`);
}

// 1. sluice writes hive-partitioned Parquet; DuckDB reads it.
if (run(['convert', at('src.parquet'), at('out_pq/'), '--partition-by', 'year,cat'], 'partitioned parquet')) {
  await same('DuckDB reads sluice partition_by year,cat (parquet)',
    `read_parquet(${sq(at('out_pq/**/*.parquet'))}, hive_partitioning = true)`);
  const dirs = fs.readdirSync(at('out_pq')).length;
  if (dirs !== 5) fail('partition folders', `${dirs} year folders, not 5`);
}

// 2. ... and gzip CSV partitioned by a column kept in the files too.
if (run(['convert', at('src.parquet'), at('out_csv/'), '--partition-by', 'month', '--to', 'csv.gz',
         '--keep-partition-columns'], 'partitioned csv.gz')) {
  const files = fs.readdirSync(at('out_csv'), { recursive: true }).filter((f) => f.endsWith('.csv.gz'));
  if (files.length !== 12) fail('csv.gz files', `${files.length} files`);
  await same('DuckDB reads sluice partition_by month (csv.gz, column kept)',
    `read_csv(${sq(at('out_csv/*/*.csv.gz'))}, hive_partitioning = false, all_varchar = true, allow_quoted_nulls = false)`);
}

// 2b. --max-memory caps the whole process: a cap the process alone nearly fills still writes every
// row (the files kept to an eighth of it) and says the cap is too small; a roomy one says nothing.
for (const [cap, warns] of [['24MiB', true], ['1GiB', false]]) {
  const out = at(`out_cap_${cap}/`);
  const r = spawnSync(sluice, ['convert', at('src.parquet'), out, '--partition-by', 'cat', '--max-memory', cap],
                      { encoding: 'utf8' });
  if (r.status !== 0) { fail(`--max-memory ${cap}`, `exited ${r.status}: ${r.stderr}`); continue; }
  const said = /--max-memory \d+ MiB is too small|above --max-memory/.test(r.stderr);
  if (said !== warns) fail(`--max-memory ${cap}`, `stderr ${warns ? 'should' : 'should not'} name the cap: ${JSON.stringify(r.stderr)}`);
  else pass(`--max-memory ${cap}: ${warns ? 'too small, said so' : 'nothing said'}`);
  await same(`DuckDB reads sluice partition_by cat under --max-memory ${cap}`,
    `read_parquet(${sq(out + '**/*.parquet')}, hive_partitioning = true)`);
}

// 3. DuckDB writes partitioned Parquet; sluice reads the folder.
await rows(`COPY src TO ${sq(at('duck_pq'))} (FORMAT parquet, PARTITION_BY (year, cat))`);
if (run(['convert', at('duck_pq'), at('back.parquet')], 'read DuckDB partitions')) {
  await same('sluice reads DuckDB PARTITION_BY (year, cat)', `read_parquet(${sq(at('back.parquet'))})`);
}
// ... and in the first file's schema (--schema-from first: the files opened as they are read).
if (run(['convert', at('duck_pq'), at('back_first.parquet'), '--schema-from', 'first'], 'read DuckDB partitions, first schema')) {
  await same('sluice reads DuckDB PARTITION_BY (year, cat) --schema-from first', `read_parquet(${sq(at('back_first.parquet'))})`);
}
// ... through a glob, with a filter on a partition column: fewer files opened, the right rows.
{
  const r = spawnSync(sluice, ['scan', at('duck_pq/**/*.parquet'), '--where', "year = 2022 and cat = 'x y'"], { encoding: 'utf8' });
  const expect = await one(`SELECT count(*) FROM src WHERE year = 2022 AND cat = 'x y'`);
  let got;
  try { got = JSON.parse(r.stdout); } catch { got = null; }
  if (!got || BigInt(got.rows) !== expect || got.files_pruned < got.files - 1)
    fail('partition pruning', `scan said ${r.stdout.trim()} ${r.stderr.trim()}, DuckDB counts ${expect}`);
  else pass('partition pruning', `${got.rows} rows, ${got.files_pruned} of ${got.files} files not opened`);
}
// ... and with OR, NOT, BETWEEN and LIKE over partition and file columns (the null cat partition is
// unknown under NOT, as in SQL): DuckDB's count, and files left unopened where the partitions decide.
for (const [where, prunes] of [
  ["year = 2020 or (year = 2024 and cat like 'x%')", true],
  ['not year between 2021 and 2023', true],
  ["not (cat = 'x y' or cat is null) and year = 2022", true],
  ["year = 2021 or v > 100", false],
  ["(year = 2021 or v > 14000) and not cat ilike 'É'", true],
  ["cat not in ('a/b', '..') or s like 'row 1_'", false],
]) {
  const r = spawnSync(sluice, ['scan', at('duck_pq/**/*.parquet'), '--where', where], { encoding: 'utf8' });
  const expect = await one(`SELECT count(*) FROM src WHERE ${where}`);
  let got;
  try { got = JSON.parse(r.stdout); } catch { got = null; }
  const what = `partition pruning: ${where}`;
  if (!got || BigInt(got.rows) !== expect || (prunes ? got.files_pruned === 0 : got.files_pruned !== 0))
    fail(what, `scan said ${r.stdout.trim()} ${r.stderr.trim()}, DuckDB counts ${expect}`);
  else pass(what, `${got.rows} rows, ${got.files_pruned} of ${got.files} files not opened`);
}

// 4. DuckDB's partitioned CSV read through a glob into zstd NDJSON, which DuckDB reads back.
await rows(`COPY src TO ${sq(at('duck_csv'))} (FORMAT csv, PARTITION_BY (month))`);
if (run(['convert', at('duck_csv/month=*/*.csv'), at('all.ndjson.zst'), '--types', 'cat=string,s=string'], 'csv glob to ndjson.zst')) {
  await same('sluice reads DuckDB csv partitions into .ndjson.zst', `read_json(${sq(at('all.ndjson.zst'))}, format = 'newline_delimited')`);
}

// 5. Compressed single files both ways.
await rows(`COPY src TO ${sq(at('duck.csv.gz'))} (FORMAT csv, COMPRESSION gzip)`);
await rows(`COPY src TO ${sq(at('duck.ndjson.zst'))} (FORMAT json, COMPRESSION zstd)`);
if (run(['convert', at('duck.csv.gz'), at('from_gz.parquet'), '--types', 'cat=string'], 'csv.gz in'))
  await same('sluice reads DuckDB .csv.gz', `read_parquet(${sq(at('from_gz.parquet'))})`);
if (run(['convert', at('duck.ndjson.zst'), at('from_zst.parquet')], 'ndjson.zst in'))
  await same('sluice reads DuckDB .ndjson.zst', `read_parquet(${sq(at('from_zst.parquet'))})`);
if (run(['convert', at('src.parquet'), at('out.csv.zst')], 'csv.zst out'))
  await same('DuckDB reads sluice .csv.zst', `read_csv(${sq(at('out.csv.zst'))}, all_varchar = true, allow_quoted_nulls = false)`);

// 6. Crash safety. A large input, converted into a folder that holds data, killed halfway.
await rows(`COPY (SELECT i AS id, i % 200 AS k, 'payload ' || i AS p, i * 1.5 AS x FROM range(4000000) t(i))
            TO ${sq(at('big.csv'))} (FORMAT csv)`);
function digest(dir) {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir, { recursive: true }).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex');
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Starts the conversion and kills it once `ready()` says it is halfway (or after 20 s).
async function killHalfway(args, ready) {
  const child = spawn(sluice, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const start = Date.now();
  while (!exited && !ready() && Date.now() - start < 20000) await sleep(20);
  if (exited) return false;
  child.kill('SIGKILL');
  while (!exited) await sleep(10);
  return true;
}
const stagingBeside = (dir) => fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.sluice-staging-`));
run(['convert', at('src.parquet'), at('crash/'), '--partition-by', 'year'], 'crash: the old data');
const before = digest(at('crash'));
for (const mode of ['overwrite', 'error']) {
  const args = ['convert', at('big.csv'), mode === 'error' ? at('crash_new/') : at('crash/'), '--partition-by', 'k',
                '--mode', mode, '--max-rows-per-file', '20000'];
  const target = mode === 'error' ? at('crash_new') : at('crash');
  const killed = await killHalfway(args, () => stagingBeside(target).some((s) => {
    try { return fs.readdirSync(path.join(path.dirname(target), s), { recursive: true }).filter((f) => f.endsWith('.parquet')).length > 20; } catch { return false; }
  }));
  if (!killed) { fail(`crash (${mode})`, 'the conversion ended before it could be killed halfway'); continue; }
  if (mode === 'overwrite' && digest(at('crash')) !== before) fail('crash (overwrite)', 'the destination changed');
  else if (mode === 'error' && fs.existsSync(at('crash_new'))) fail('crash (error)', 'a destination appeared');
  else pass(`crash (${mode})`, 'killed halfway, the destination is as it was');
}
// The next run removes the dead run's staging folder and replaces the data.
if (run(['convert', at('src.parquet'), at('crash/'), '--partition-by', 'month', '--mode', 'overwrite'], 'after the crash')) {
  if (stagingBeside(at('crash')).length !== 0) fail('stale staging', `left: ${stagingBeside(at('crash'))}`);
  await same('overwrite after a crash', `read_parquet(${sq(at('crash/**/*.parquet'))}, hive_partitioning = true)`);
}
// Append, killed: every visible file is complete.
{
  const killed = await killHalfway(['convert', at('big.csv'), at('crash/'), '--partition-by', 'k', '--mode', 'append',
                                    '--max-rows-per-file', '20000'],
    () => fs.readdirSync(at('crash'), { recursive: true }).filter((f) => /k=\d+\/part-.*\.parquet$/.test(f)).length > 20);
  if (!killed) fail('crash (append)', 'the conversion ended before it could be killed halfway');
  else {
    const visible = fs.readdirSync(at('crash'), { recursive: true })
      .filter((f) => f.endsWith('.parquet') && !path.basename(f).startsWith('.'));
    let broken = 0;
    for (const f of visible) {
      try { await one(`SELECT count(*) FROM read_parquet(${sq(path.join(at('crash'), f))})`); } catch { broken++; }
    }
    if (broken) fail('crash (append)', `${broken} of ${visible.length} visible files are incomplete`);
    else pass('crash (append)', `killed halfway, all ${visible.length} visible files complete`);
    // sluice reads the folder too (hidden temporaries skipped).
    const r = spawnSync(sluice, ['scan', at('crash'), '--hive-partitioning', 'off'], { encoding: 'utf8' });
    if (r.status !== 0) fail('read after append crash', r.stderr);
  }
}

console.log(failures ? `${failures} failure(s)` : 'all dataset cases agree with DuckDB');
process.exit(failures ? 1 : 0);
