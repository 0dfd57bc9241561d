#!/usr/bin/env node
// End-to-end Parquet decode: `sluice scan` against DuckDB decoding every column of the same files, in
// the same run.
//
//   flock /tmp/sluice-build.lock node bench/compare/parquet_compare.mjs [options]
//
// The shared comparison table (the CSV of csv_compare, DuckDB's types declared) is written once by
// DuckDB as Parquet in each codec asked for (snappy, zstd, uncompressed by default; cached). Then,
// alternating and repeated, at 1 and 2 threads: `sluice scan FILE` (every value decoded into columns,
// nulls counted) and DuckDB's full decode (an aggregate touching every column of read_parquet).
// Checks that sluice sees DuckDB's rows and nulls per column. With the codec `snappy-folder`, the same
// table as a folder of one-row-group snappy files (DuckDB's ROW_GROUPS_PER_FILE 1): `sluice scan DIR/`
// against DuckDB's read_parquet('DIR/*.parquet'), a dataset's files read at once on the threads. See
// README.md beside this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, twoAtOnce, COLUMNS, DUCK_COLUMNS, makeDie, parseOptions, openDuck, ensureCsv, ensureFile, warm, fmt, mib, median,
  printTable, machine, chooseRssMethod, warnIfBusy, runSluice, finish,
} from './common.mjs';

const USAGE = `usage: node bench/compare/parquet_compare.mjs [options]
  --rows N          rows of the generated table (default 4000000)
  --work-dir DIR    where data and results go (default $SLUICE_BENCH_DIR or build/bench-data)
  --build DIR       build directory the programs are taken from (default build)
  --sluice PATH     sluice binary (default BUILD/tools/sluice/sluice)
  --codecs LIST     snappy,zstd,uncompressed,snappy-folder (default all four; also gzip, lz4_raw,
                    brotli); snappy-folder: the table as one snappy file per row group, in a folder
  --reps N          timed repetitions of every configuration, best kept (default 3)
  --threads LIST    thread counts to compare (default 1,2)
  --rss METHOD      how sluice's peak RSS is taken: auto | time | proc (default auto)
  --out FILE        results as JSON (default WORK_DIR/parquet_compare_<rows>.json)`;

const die = makeDie('parquet_compare');
// The targets: sluice / DuckDB at one thread per codec (others: snappy's), and 2 threads over 1.
const TARGETS = { vsDuck1: { snappy: 1.6, zstd: 1.7, uncompressed: 1.9 }, speedup2: 1.85 };
const PARQUET_GEN_VERSION = 1;
// The table as a folder of snappy files of one row group each (a dataset, as a lake holds one).
const FOLDER = 'snappy-folder';
const isFolder = (codec) => codec === FOLDER;

// The Parquet files of a folder (sorted), or the file itself.
function filesOf(p) {
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p).filter((f) => f.endsWith('.parquet')).sort().map((f) => path.join(p, f));
}
const bytesOf = (p) => filesOf(p).reduce((n, f) => n + fs.statSync(f).size, 0);
const warmAll = (p) => filesOf(p).forEach(warm);
// What sluice and DuckDB are given: the folder as DIR/ and DIR/*.parquet.
const sluiceInput = (p) => (fs.statSync(p).isDirectory() ? p + '/' : p);
const duckInput = (p) => (fs.statSync(p).isDirectory() ? path.join(p, '*.parquet') : p);

function parseArgs(argv) {
  const o = parseOptions(argv, {
    rows: 4_000_000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    build: path.join(REPO, 'build'),
    sluice: null,
    codecs: ['snappy', 'zstd', 'uncompressed', FOLDER],
    reps: 3,
    threads: [1, 2],
    rss: 'auto',
    out: null,
  }, {
    '--rows': (g, o) => (o.rows = g.int('--rows')),
    '--work-dir': (g, o) => (o.workDir = g.path()),
    '--build': (g, o) => (o.build = g.path()),
    '--sluice': (g, o) => (o.sluice = g.path()),
    '--codecs': (g, o) => (o.codecs = g.str().split(',')),
    '--reps': (g, o) => (o.reps = Math.max(1, g.int('--reps'))),
    '--threads': (g, o) => (o.threads = g.str().split(',').map(Number)),
    '--rss': (g, o) => (o.rss = g.str()),
    '--out': (g, o) => (o.out = g.path()),
  }, USAGE, die);
  o.sluice ??= path.join(o.build, 'tools', 'sluice', 'sluice');
  if (o.rows < 1) die('--rows must be at least 1', 2);
  if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) die('--threads wants a list like 1,2', 2);
  if (o.codecs.some((c) => !['snappy', 'zstd', 'uncompressed', 'gzip', 'lz4_raw', 'brotli', FOLDER].includes(c)))
    die(`--codecs takes snappy, zstd, uncompressed, gzip, lz4_raw, brotli, ${FOLDER}`, 2);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.sluice)) die(`no sluice binary at ${opts.sluice} (build it, or pass --build / --sluice)`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  const rssMethod = chooseRssMethod(opts.rss, die);
  const loadBefore = os.loadavg();
  const { q, version: duckVersion } = await openDuck();

  // 1. The files: the shared CSV loaded with its declared types, written by DuckDB once per codec.
  const csv = await ensureCsv(q, duckVersion, opts.workDir, opts.rows);
  const files = {};
  let loaded = false;
  for (const codec of opts.codecs) {
    const file = path.join(opts.workDir, `parquet_compare_${opts.rows}_${codec}${isFolder(codec) ? '' : '.parquet'}`);
    await ensureFile(file, { rows: opts.rows, gen: PARQUET_GEN_VERSION, duckdb: duckVersion, codec }, async () => {
      if (!loaded) {
        await q(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('${csv}', header = true, auto_detect = false, ` +
          `delim = ',', quote = '"', escape = '"', columns = ${DUCK_COLUMNS})`);
        loaded = true;
      }
      if (isFolder(codec)) {
        fs.rmSync(file, { recursive: true, force: true });
        await q('SET threads = 1');  // (files in the table's order)
        await q(`COPY t TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUPS_PER_FILE 1)`);
      } else {
        await q(`COPY t TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`);
      }
    });
    files[codec] = file;
  }
  if (loaded) await q('DROP TABLE t');

  // What DuckDB sees: rows and nulls per column, and the file layout.
  const first = duckInput(files[opts.codecs[0]]);
  const truth = (await q(`SELECT count(*) AS rows, ` +
    COLUMNS.map(([n]) => `count(*) - count("${n}") AS "${n}"`).join(', ') + ` FROM read_parquet('${first}')`))[0];
  const duckRows = Number(truth.rows);
  const duckNulls = Object.fromEntries(COLUMNS.map(([n]) => [n, Number(truth[n])]));
  const layout = (await q(`SELECT count(DISTINCT row_group_id) AS groups, max(row_group_num_rows) AS rows_per_group ` +
    `FROM parquet_metadata('${first}')`))[0];
  console.log(`DuckDB ${duckVersion}: ${duckRows} rows in ${layout.groups} row groups of up to ${layout.rows_per_group}; ` +
    `nulls ${JSON.stringify(duckNulls)}`);
  if (opts.codecs.includes(FOLDER)) console.log(`${FOLDER}: ${filesOf(files[FOLDER]).length} files in ${files[FOLDER]}`);
  const agg = `count(*), sum(id), sum(k), sum(price), sum(qty), count(flag), count_if(status), ` +
    `max(ship_date), max(ts), sum(length(comment))`;

  // 2. The configurations, alternating.
  const configs = [];
  for (const codec of opts.codecs)
    for (const t of opts.threads) for (const engine of ['sluice', 'duckdb']) configs.push({ engine, codec, threads: t });
  for (const c of configs) {
    c.times = [];
    c.rss = [];
    c.error = null;
  }
  const failures = [];
  const fail = (msg) => { if (!failures.includes(msg)) failures.push(msg); };
  const checkSluice = (c, text) => {
    const r = JSON.parse(text);
    if (r.rows !== duckRows) fail(`sluice ${c.codec} t=${c.threads}: ${r.rows} rows, DuckDB ${duckRows}`);
    for (const col of r.columns)
      if (col.name in duckNulls && col.nulls !== duckNulls[col.name])
        fail(`sluice ${c.codec} t=${c.threads}: column ${col.name} has ${col.nulls} nulls, DuckDB ${duckNulls[col.name]}`);
  };

  const busy = await warnIfBusy();
  console.log(`timing ${configs.length} configurations x ${opts.reps} repetitions (peak RSS via ${rssMethod}) ...`);
  for (let rep = 0; rep < opts.reps; ++rep) {
    for (let j = 0; j < configs.length; ++j) {
      const c = configs[(j + rep) % configs.length];
      if (c.error) continue;
      const file = files[c.codec];
      let seconds;
      try {
        warmAll(file);
        if (c.engine === 'sluice') {
          const r = await runSluice(opts, rssMethod, ['scan', sluiceInput(file), '--threads', String(c.threads)]);
          seconds = r.seconds;
          c.rss.push(r.rssKiB);
          checkSluice(c, r.stdout);
        } else {
          await q(`SET threads = ${c.threads}`);
          const t0 = performance.now();
          const res = await q(`SELECT ${agg} FROM read_parquet('${duckInput(file)}')`);
          seconds = (performance.now() - t0) / 1000;
          const n = Number(Object.values(res[0])[0]);
          if (n !== duckRows) fail(`DuckDB counted ${n} rows, not ${duckRows}`);
        }
      } catch (e) {
        c.error = String(e.message).trim().split('\n').slice(0, 3).join(' | ');
        console.log(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.codec.padEnd(12)} t=${c.threads}  FAILED: ${c.error}`);
        fail(`${c.engine} ${c.codec} --threads ${c.threads}: ${c.error}`);
        continue;
      }
      c.times.push(seconds);
      process.stdout.write(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.codec.padEnd(12)} t=${c.threads}  ${seconds.toFixed(3)} s\n`);
    }
  }

  // The machine's ceiling for two threads: two 1-thread scans of the file at once (common.mjs).
  const pairs = {};
  if (opts.threads.includes(1) && opts.threads.includes(2)) {
    for (const codec of opts.codecs) {
      try {
        pairs[codec] = await twoAtOnce(opts.reps, () => warmAll(files[codec]),
          async () => (await runSluice(opts, 'none', ['scan', sluiceInput(files[codec]), '--threads', '1'])).seconds);
      } catch (e) {
        fail(`two sluice ${codec} --threads 1 at once: ${String(e.message).trim().split('\n')[0]}`);
      }
    }
  }

  // 3. The table.
  const find = (engine, codec, threads) => configs.find((c) => c.engine === engine && c.codec === codec &&
    c.threads === threads && c.times.length);
  const t1 = opts.threads[0];
  const rows = configs.map((c) => {
    const best = c.times.length ? Math.min(...c.times) : null;
    return { ...c, best, median: c.times.length ? median(c.times) : null, bytes: bytesOf(files[c.codec]),
      peakRssKiB: c.rss.length ? Math.max(...c.rss) : null };
  });
  for (const r of rows) {
    const duck = rows.find((x) => x.engine === 'duckdb' && x.codec === r.codec && x.threads === r.threads);
    const single = rows.find((x) => x.engine === r.engine && x.codec === r.codec && x.threads === t1);
    r.vsDuck = r.engine === 'sluice' && r.best && duck?.best ? duck.best / r.best : null;
    r.speedup = r.threads !== t1 && r.best && single?.best ? single.best / r.best : null;
  }
  console.log(`\n${opts.rows} rows, best of ${opts.reps} (median beside it); ${os.cpus().length} CPUs ` +
    `(${os.cpus()[0]?.model ?? '?'}); load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, now ` +
    `${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  printTable(['engine', 'codec', 'threads', 'file MB', 'best s', 'median s', 'Mrows/s', 'sluice/DuckDB',
    `speedup vs ${t1}t`, 'peak RSS'],
  rows.map((r) => r.best === null
    ? [r.engine, r.codec, String(r.threads), fmt(r.bytes / 1e6, 1), 'failed', '', '', '', '', '']
    : [r.engine, r.codec, String(r.threads), fmt(r.bytes / 1e6, 1), fmt(r.best, 3), fmt(r.median, 3),
      fmt(opts.rows / r.best / 1e6, 1), r.vsDuck === null ? '' : `${fmt(r.vsDuck)}x`,
      r.speedup === null ? '' : `${fmt(r.speedup)}x`, r.peakRssKiB ? mib(r.peakRssKiB) : '']));
  console.log('sluice/DuckDB: DuckDB seconds / sluice seconds at the same thread count (> 1: sluice is faster). ' +
    'sluice: `sluice scan`\n(process start-up and footer included); DuckDB: an aggregate over every column of ' +
    'read_parquet, in this process.');

  const targets = [];
  for (const codec of opts.codecs) {
    if (isFolder(codec)) continue;  // (the targets are the file's)
    const s1 = find('sluice', codec, 1), s2 = find('sluice', codec, 2), d1 = find('duckdb', codec, 1);
    if (s1 && d1) targets.push([`${codec}: 1 thread sluice / DuckDB`, Math.min(...d1.times) / Math.min(...s1.times),
                                  TARGETS.vsDuck1[codec] ?? TARGETS.vsDuck1.snappy]);
    if (s1 && s2) targets.push([`${codec}: 2 threads / 1 thread (sluice)`, Math.min(...s1.times) / Math.min(...s2.times), TARGETS.speedup2]);
  }
  if (Object.keys(pairs).length) {
    console.log('\ntwo 1-thread scans at once (two processes; the slower, best of the reps), against one alone:');
    for (const [codec, t] of Object.entries(pairs)) {
      const s1 = find('sluice', codec, 1);
      if (s1) console.log(`  ${codec.padEnd(12)} ${fmt(t, 3)} s: this machine's ceiling for 2 threads is ${fmt(2 * Math.min(...s1.times) / t)}x`);
    }
  }
  console.log('\ntargets:');
  for (const [what, got, goal] of targets)
    console.log(`  ${what.padEnd(40)} ${fmt(got)}x  (target >= ${goal}x: ${got >= goal ? 'met' : 'MISSED'})`);

  const out = opts.out ?? path.join(opts.workDir, `parquet_compare_${opts.rows}.json`);
  finish(out, {
    date: new Date().toISOString(), machine: machine(), sluice: opts.sluice, duckdb: duckVersion,
    rss_method: rssMethod, files, layout, reps: opts.reps, two_processes_at_once: pairs, duckdb_truth: { rows: duckRows, nulls: duckNulls },
    results: rows.map(({ engine, codec, threads, best, median: med, times, vsDuck, speedup, peakRssKiB, bytes }) =>
      ({ engine, codec, threads, best, median: med, times, vsDuck, speedup, peakRssKiB, bytes })),
    targets: targets.map(([what, got, goal]) => ({ what, got, goal, met: got >= goal })),
    failures, load_average: { before: loadBefore, after: os.loadavg() }, busy_before_timing: busy,
  }, failures, 'rows and null counts equal DuckDB\'s in every sluice run');
}

main().catch((e) => die(e.stack || String(e)));
