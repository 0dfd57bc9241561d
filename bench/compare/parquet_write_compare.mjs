#!/usr/bin/env node
// Writing Parquet from columns in memory: sluice's Parquet writer against DuckDB's COPY ... TO
// (FORMAT parquet), on the same table, in the same run, at 1 and 2 threads, snappy and zstd.
//
//   flock /tmp/sluice-build.lock node bench/compare/parquet_write_compare.mjs [options]
//
// The table is csv_compare's (the same cached CSV, the declared types). DuckDB loads it into a table
// (not timed), then `SET threads = N; COPY t TO ... (FORMAT parquet, COMPRESSION C)` is timed;
// sluice_write_bench loads it into Batches (not timed) and times `ParquetWriter` writing every batch
// to a local file (`--to parquet --compression C --threads N`, the writer's defaults otherwise: 128 MiB
// row groups, 1 MiB pages, dictionary on, page v1, statistics and page index on). Alternating, best
// of --reps. Both must write every row; what each wrote is read back by DuckDB and must aggregate to
// the table's values. See README.md beside this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, twoAtOnce, SLUICE_TYPES, DUCK_COLUMNS, makeDie, parseOptions, openDuck, ensureCsv, warm, settleOutput, fmt, median,
  printTable, machine, warnIfBusy, runProgram, finish,
} from './common.mjs';

const USAGE = `usage: node bench/compare/parquet_write_compare.mjs [options]
  --rows N          rows of the table (default 4000000)
  --work-dir DIR    where data and results go (default $SLUICE_BENCH_DIR or build/bench-data)
  --out-dir DIR     where the written files go (default WORK_DIR; e.g. /dev/shm to leave the disk out)
  --build DIR       build directory the programs are taken from (default build)
  --write-bench P   sluice_write_bench (default BUILD/bench/sluice_write_bench)
  --codecs LIST     snappy,zstd (default; also uncompressed, gzip, lz4_raw, brotli)
  --reps N          timed repetitions of every configuration, best kept (default 3)
  --threads LIST    thread counts, for both (default 1,2)
  --keep            keep the written files (default: removed at the end)
  --out FILE        results as JSON (default WORK_DIR/parquet_write_compare_<rows>.json)`;

const die = makeDie('parquet_write_compare');
// The issue's targets: sluice at least 2x DuckDB's speed at one thread each, files no larger than
// DuckDB's, and 2 threads at least 1.85x sluice's one thread.
const TARGETS = { vsDuck1: 2, sizeRatio: 1.0, speedup2: 1.85 };
// sluice's name of a codec (DuckDB's are the keys).
const SLUICE_CODEC = { snappy: 'snappy', zstd: 'zstd', uncompressed: 'uncompressed', gzip: 'gzip', lz4_raw: 'lz4', brotli: 'brotli' };

function parseArgs(argv) {
  const o = parseOptions(argv, {
    rows: 4_000_000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    outDir: null,
    build: path.join(REPO, 'build'),
    writeBench: null,
    codecs: ['snappy', 'zstd'],
    reps: 3,
    threads: [1, 2],
    keep: false,
    out: null,
  }, {
    '--rows': (g, o) => (o.rows = g.int('--rows')),
    '--work-dir': (g, o) => (o.workDir = g.path()),
    '--out-dir': (g, o) => (o.outDir = g.path()),
    '--build': (g, o) => (o.build = g.path()),
    '--write-bench': (g, o) => (o.writeBench = g.path()),
    '--codecs': (g, o) => (o.codecs = g.str().split(',')),
    '--reps': (g, o) => (o.reps = Math.max(1, g.int('--reps'))),
    '--threads': (g, o) => (o.threads = g.str().split(',').map(Number)),
    '--keep': (g, o) => (o.keep = true),
    '--out': (g, o) => (o.out = g.path()),
  }, USAGE, die);
  o.outDir ??= o.workDir;
  o.writeBench ??= path.join(o.build, 'bench', 'sluice_write_bench');
  if (o.rows < 1) die('--rows must be at least 1', 2);
  if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) die('--threads wants a list like 1,2', 2);
  if (!o.codecs.length || o.codecs.some((c) => !(c in SLUICE_CODEC)))
    die(`--codecs takes ${Object.keys(SLUICE_CODEC).join(', ')}`, 2);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.writeBench))
    die(`no sluice_write_bench at ${opts.writeBench} (build it, or pass --build / --write-bench)`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  fs.mkdirSync(opts.outDir, { recursive: true });
  const loadBefore = os.loadavg();
  const { q, version: duckVersion } = await openDuck();

  // 1. The table: csv_compare's CSV, loaded by DuckDB with the declared types (not timed).
  const file = await ensureCsv(q, duckVersion, opts.workDir, opts.rows);
  const csvBytes = fs.statSync(file).size;
  console.log(`${file}: ${opts.rows} rows, ${(csvBytes / 1e6).toFixed(1)} MB`);
  const readCsv = `read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"', ` +
    `auto_detect = false, columns = ${DUCK_COLUMNS})`;
  let t0 = performance.now();
  await q(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${readCsv}`);
  const tableRows = Number((await q('SELECT count(*) AS n FROM t'))[0].n);
  console.log(`DuckDB ${duckVersion}: table t of ${tableRows} rows loaded in ${((performance.now() - t0) / 1000).toFixed(2)} s (not timed)`);

  // What a file must aggregate to, to hold the table.
  const agg = `count(*) AS n, sum(id) AS id, sum(k) AS k, sum(round(price * 100)::BIGINT) AS price, sum(qty) AS qty, ` +
    `count(flag) AS flag, sum(hash(flag)) AS flag_hash, count_if(status) AS status, count(status) AS status_n, ` +
    `sum(epoch(ship_date)) AS ship_date, sum(epoch_us(ts)) AS ts, count(comment) AS comment_n, ` +
    `sum(length(comment)) AS comment_len, sum(hash(comment)) AS comment_hash`;
  const expected = (await q(`SELECT ${agg} FROM t`))[0];

  // 2. The configurations, alternating.
  const outFile = (c) => path.join(opts.outDir, `parquet_write_compare_${c.engine}_${c.codec}_t${c.threads}.parquet`);
  const configs = [];
  for (const codec of opts.codecs)
    for (const threads of opts.threads)
      for (const engine of ['sluice', 'duckdb']) configs.push({ engine, codec, threads, times: [], error: null, bytes: null });
  const failures = [];
  const fail = (msg) => { if (!failures.includes(msg)) failures.push(msg); };
  const verified = new Set();
  const verify = async (c, f) => {
    // Once per configuration (not timed): DuckDB reads the file back; it must hold the table.
    const key = `${c.engine}/${c.codec}/t${c.threads}`;
    if (verified.has(key)) return;
    verified.add(key);
    const got = (await q(`SELECT ${agg} FROM read_parquet('${f}')`))[0];
    const diff = Object.keys(expected).filter((k) => String(got[k]) !== String(expected[k]));
    if (diff.length) fail(`${key}: the file read back differs from the table in ${diff.map((k) => `${k} (${got[k]} != ${expected[k]})`).join(', ')}`);
    const meta = (await q(`SELECT count(DISTINCT row_group_id) AS rg, count(DISTINCT compression) AS nc, min(compression) AS codec
        FROM parquet_metadata('${f}')`))[0];
    c.rowGroups = Number(meta.rg);
    if (!diff.length) console.log(`  ${key}: read back by DuckDB (${c.rowGroups} row groups, ${meta.codec}), every column aggregates to the table's values`);
  };

  const busy = await warnIfBusy();
  console.log(`timing ${configs.length} configurations x ${opts.reps} repetitions ...`);
  for (let rep = 0; rep < opts.reps; ++rep) {
    for (let j = 0; j < configs.length; ++j) {
      const c = configs[(j + rep) % configs.length];
      if (c.error) continue;
      const f = outFile(c);
      let seconds;
      settleOutput(f);
      try {
        if (c.engine === 'sluice') {
          warm(file);
          const r = await runProgram(opts.writeBench, 'none',
            [file, '--to', 'parquet', '--out', f, '--reps', '1', '--types', SLUICE_TYPES,
              '--compression', SLUICE_CODEC[c.codec], '--threads', String(c.threads)]);
          const w = JSON.parse(r.stdout);
          seconds = w.seconds;
          c.info = { load_seconds: w.load_seconds, held_bytes: w.held_bytes, schema: w.schema, row_groups: w.row_groups,
            peak_buffered_bytes: w.peak_buffered_bytes };
          if (w.rows !== tableRows) fail(`sluice ${c.codec} t${c.threads}: wrote ${w.rows} rows, not ${tableRows}`);
        } else {
          await q(`SET threads = ${c.threads}`);
          t0 = performance.now();
          const res = await q(`COPY t TO '${f}' (FORMAT parquet, COMPRESSION ${c.codec})`);
          seconds = (performance.now() - t0) / 1000;
          const n = Number(Object.values(res[0] ?? {})[0]);
          if (n !== tableRows) fail(`DuckDB ${c.codec} t${c.threads}: COPY wrote ${n} rows, not ${tableRows}`);
        }
        c.bytes = fs.statSync(f).size;
        await q('SET threads = 2');  // reading back is not timed
        await verify(c, f);
      } catch (e) {
        c.error = String(e.message).trim().split('\n').slice(0, 3).join(' | ');
        console.log(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.codec.padEnd(6)} t=${c.threads}  FAILED: ${c.error}`);
        fail(`${c.engine} ${c.codec} --threads ${c.threads}: ${c.error}`);
        continue;
      }
      c.times.push(seconds);
      console.log(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.codec.padEnd(6)} t=${c.threads}  ` +
        `${seconds.toFixed(3)} s  ${(c.bytes / 1e6).toFixed(1)} MB`);
    }
  }

  // The machine's ceiling for two threads: two 1-thread writes at once (common.mjs); each process
  // loads the table, then times its write: the loads take as long, so the writes overlap.
  const pairs = {};
  if (opts.threads.includes(1) && opts.threads.includes(2)) {
    for (const codec of opts.codecs) {
      try {
        pairs[codec] = await twoAtOnce(opts.reps, () => warm(file), async (k) => {
          const f = path.join(opts.outDir, `parquet_write_compare_pair${k}_${codec}.parquet`);
          try {
            const r = await runProgram(opts.writeBench, 'none',
              [file, '--to', 'parquet', '--out', f, '--reps', '1', '--types', SLUICE_TYPES,
                '--compression', SLUICE_CODEC[codec], '--threads', '1']);
            return JSON.parse(r.stdout).seconds;
          } finally {
            try { fs.unlinkSync(f); } catch { /* none */ }
          }
        });
      } catch (e) {
        fail(`two sluice ${codec} writes at once: ${String(e.message).trim().split('\n')[0]}`);
      }
    }
  }

  // 3. The table.
  const find = (engine, codec, threads) => configs.find((c) => c.engine === engine && c.codec === codec &&
    c.threads === threads && c.times.length);
  for (const c of configs) {
    c.best = c.times.length ? Math.min(...c.times) : null;
    c.median = c.times.length ? median(c.times) : null;
  }
  const rows = configs.map((c) => {
    const duck = find('duckdb', c.codec, c.threads);
    const one = find(c.engine, c.codec, 1);
    return {
      engine: c.engine, codec: c.codec, threads: c.threads, best: c.best, median: c.median, bytes: c.bytes,
      rowGroups: c.rowGroups ?? null,
      // The table's CSV bytes (10^6) over the best time: the same yardstick for both engines.
      tableMBps: c.best ? csvBytes / 1e6 / c.best : null,
      outMBps: c.best ? c.bytes / 1e6 / c.best : null,
      rowsPerS: c.best ? tableRows / c.best : null,
      // DuckDB seconds / sluice seconds at the same threads (> 1: sluice is faster)
      vsDuck: c.engine === 'sluice' && c.best && duck ? duck.best / c.best : null,
      sizeVsDuck: c.engine === 'sluice' && c.bytes && duck ? c.bytes / duck.bytes : null,
      // this engine's 1-thread seconds / these seconds
      speedup: c.threads !== 1 && c.best && one ? one.best / c.best : null,
      error: c.error, info: c.info ?? null,
    };
  });
  console.log(`\n${tableRows} rows from ${path.basename(file)}, best of ${opts.reps} (median beside it); ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average before ` +
    `${loadBefore.map((x) => x.toFixed(2)).join(' ')}, now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  printTable(['engine', 'codec', 'threads', 'best s', 'median s', 'output MB', 'row groups', 'table MB/s', 'out MB/s',
    'Mrows/s', 'vs DuckDB', 'size/DuckDB', 'vs 1 thread'],
  rows.map((r) => r.best === null
    ? [r.engine, r.codec, String(r.threads), 'failed', '', '', '', '', '', '', '', '', '']
    : [r.engine, r.codec, String(r.threads), fmt(r.best, 3), fmt(r.median, 3), fmt(r.bytes / 1e6, 1),
      r.rowGroups === null ? '' : String(r.rowGroups), fmt(r.tableMBps, 0), fmt(r.outMBps, 0), fmt(r.rowsPerS / 1e6, 2),
      r.vsDuck === null ? '' : `${fmt(r.vsDuck)}x`, r.sizeVsDuck === null ? '' : fmt(r.sizeVsDuck, 3),
      r.speedup === null ? '' : `${fmt(r.speedup)}x`]), 3);
  console.log('table MB/s: the table\'s CSV bytes (10^6) over the best time (the same yardstick for both); out MB/s: ' +
    'the Parquet bytes written.\nvs DuckDB: DuckDB seconds / sluice seconds at the same threads; size/DuckDB: sluice\'s ' +
    'file / DuckDB\'s; vs 1 thread: the engine\'s own 1-thread time / this one.\nsluice times ParquetWriter and its local ' +
    'sink (finish and rename included) from Batches in memory; DuckDB times COPY from its in-memory table, in this process.');
  const sl = configs.find((c) => c.engine === 'sluice' && c.info);
  if (sl) console.log(`sluice held ${(sl.info.held_bytes / 1e6).toFixed(1)} MB of columns (loaded in ${sl.info.load_seconds} s): ${sl.info.schema}`);
  for (const c of configs.filter((x) => x.engine === 'sluice' && x.info))
    console.log(`  sluice ${c.codec} t${c.threads}: ${c.info.row_groups} row groups, writer peak ${(c.info.peak_buffered_bytes / 2 ** 20).toFixed(1)} MiB buffered`);

  console.log('\ntargets:');
  const targets = [];
  const report = (name, got, goal, higherIsBetter, what) => {
    const met = got !== null && (higherIsBetter ? got >= goal : got <= goal);
    targets.push({ name, got, goal, met });
    console.log(`  ${name.padEnd(26)} ${got === null ? '-' : fmt(got, 2)}  (target ${higherIsBetter ? '>=' : '<='} ${goal}: ${got === null ? 'no figures' : met ? 'met' : 'MISSED'})  ${what}`);
  };
  for (const codec of opts.codecs) {
    const s1 = find('sluice', codec, 1), d1 = find('duckdb', codec, 1), s2 = find('sluice', codec, 2);
    report(`${codec}: speed vs DuckDB 1t`, s1 && d1 ? d1.best / s1.best : null, TARGETS.vsDuck1, true,
      s1 && d1 ? `sluice ${fmt(s1.best, 3)} s, DuckDB ${fmt(d1.best, 3)} s` : '');
    report(`${codec}: size / DuckDB`, s1 && d1 ? s1.bytes / d1.bytes : null, TARGETS.sizeRatio, false,
      s1 && d1 ? `sluice ${(s1.bytes / 1e6).toFixed(1)} MB, DuckDB ${(d1.bytes / 1e6).toFixed(1)} MB` : '');
    if (opts.threads.includes(2))
      report(`${codec}: sluice 2t / 1t`, s1 && s2 ? s1.best / s2.best : null, TARGETS.speedup2, true,
        s1 && s2 ? `${fmt(s1.best, 3)} s -> ${fmt(s2.best, 3)} s` : '');
  }

  if (Object.keys(pairs).length) {
    console.log('\ntwo 1-thread writes at once (two processes; the slower, best of the reps), against one alone:');
    for (const [codec, t] of Object.entries(pairs)) {
      const s1 = find('sluice', codec, 1);
      if (s1) console.log(`  ${codec.padEnd(8)} ${fmt(t, 3)} s: this machine's ceiling for 2 threads is ${fmt(2 * s1.best / t)}x`);
    }
  }

  if (!opts.keep)
    for (const c of configs) try { fs.unlinkSync(outFile(c)); } catch { /* none */ }

  const out = opts.out ?? path.join(opts.workDir, `parquet_write_compare_${opts.rows}.json`);
  const result = {
    date: new Date().toISOString(), machine: machine(), write_bench: opts.writeBench, duckdb: duckVersion,
    input: { path: file, rows: tableRows, bytes: csvBytes }, out_dir: opts.outDir, reps: opts.reps,
    two_processes_at_once: pairs,
    results: rows.map((r, i) => ({ ...r, times: configs[i].times })), targets, failures,
    load_average: { before: loadBefore, after: os.loadavg() }, busy_before_timing: busy,
  };
  finish(out, result, failures, 'every row written, and both engines\' files read back to the table\'s values');
}

main().catch((e) => die(e.stack || String(e)));
