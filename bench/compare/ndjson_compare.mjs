#!/usr/bin/env node
// End-to-end NDJSON decode: sluice against DuckDB's read_ndjson and against a bare simdjson walk, on
// the same generated file, in the same run.
//
//   flock /tmp/sluice-build.lock node bench/compare/ndjson_compare.mjs [options]
//
// Generates (once, cached) the comparison table as NDJSON with DuckDB (COPY ... (FORMAT json)), with
// timestamps in varying forms and a TIMESTAMPTZ column written with offsets. Then times, alternating
// and repeated, at 1 and 2 threads: `sluice scan` (types inferred, and declared), DuckDB's read_ndjson
// with the columns declared and with its auto-detection, each with an aggregate over every column;
// and, once per repetition, sluice_ndjson_walk (simdjson On-Demand reading every field, one thread:
// the upper bound). Checks that sluice sees DuckDB's rows and nulls and infers the right types. See
// README.md beside this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, NDJSON_GEN_VERSION, NDJSON_COLUMNS, NDJSON_TIME_ZONE, SLUICE_TYPE_NAMES, sluiceTypes, duckColumns,
  makeDie, parseOptions, openDuck, ensureFile, generateSql, warm, fmt, mib, median, printTable, machine,
  chooseRssMethod, warnIfBusy, runProgram, runSluice, finish,
} from './common.mjs';

const USAGE = `usage: node bench/compare/ndjson_compare.mjs [options]
  --rows N          rows of the generated table (default 4000000)
  --work-dir DIR    where data and results go (default $SLUICE_BENCH_DIR or build/bench-data)
  --build DIR       build directory the programs are taken from (default build)
  --sluice PATH     sluice binary (default BUILD/tools/sluice/sluice)
  --walk PATH       the simdjson walk (default BUILD/bench/sluice_ndjson_walk)
  --batch-size N    the walk's iterate_many batch size (default 1MiB)
  --reps N          timed repetitions of every configuration, best kept (default 3)
  --threads LIST    thread counts to compare (default 1,2)
  --no-duck-auto    do not time DuckDB with auto-detection (it is still described)
  --rss METHOD      how sluice's peak RSS is taken: auto | time | proc (default auto)
  --out FILE        results as JSON (default WORK_DIR/ndjson_compare_<rows>.json)`;

const die = makeDie('ndjson_compare');

// What sluice should infer for every column (the issue: the whole file, the right types).
const EXPECTED_INFERRED = {
  id: 'int64', k: 'int64', price: 'float64', qty: 'int64', flag: 'string', status: 'bool',
  ship_date: 'date32', ts: 'timestamp[us]', tstz: 'timestamp[us, tz=UTC]', comment: 'string',
};
// The targets of the issue, printed against the figures (information, not a failure).
const TARGETS = { vsDuck1: 2.2, ofWalk1: 0.75, speedup2: 1.85 };

function parseArgs(argv) {
  const o = parseOptions(argv, {
    rows: 4_000_000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    build: path.join(REPO, 'build'),
    sluice: null,
    walk: null,
    batchSize: '1MiB',
    reps: 3,
    threads: [1, 2],
    duckAuto: true,
    rss: 'auto',
    out: null,
  }, {
    '--rows': (g, o) => (o.rows = g.int('--rows')),
    '--work-dir': (g, o) => (o.workDir = g.path()),
    '--build': (g, o) => (o.build = g.path()),
    '--sluice': (g, o) => (o.sluice = g.path()),
    '--walk': (g, o) => (o.walk = g.path()),
    '--batch-size': (g, o) => (o.batchSize = g.str()),
    '--reps': (g, o) => (o.reps = Math.max(1, g.int('--reps'))),
    '--threads': (g, o) => (o.threads = g.str().split(',').map(Number)),
    '--no-duck-auto': (g, o) => (o.duckAuto = false),
    '--rss': (g, o) => (o.rss = g.str()),
    '--out': (g, o) => (o.out = g.path()),
  }, USAGE, die);
  o.sluice ??= path.join(o.build, 'tools', 'sluice', 'sluice');
  o.walk ??= path.join(o.build, 'bench', 'sluice_ndjson_walk');
  if (o.rows < 1) die('--rows must be at least 1', 2);
  if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) die('--threads wants a list like 1,2', 2);
  if (!['auto', 'time', 'proc'].includes(o.rss)) die('--rss is auto, time or proc', 2);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const [what, p] of [['sluice binary', opts.sluice], ['simdjson walk', opts.walk]])
    if (!fs.existsSync(p)) die(`no ${what} at ${p} (build it, or pass --build / --sluice / --walk)`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  const rssMethod = chooseRssMethod(opts.rss, die);
  const loadBefore = os.loadavg();
  const { q, version: duckVersion } = await openDuck();

  // 1. The data file, made once per (rows, generator, DuckDB version). DuckDB writes TIMESTAMPTZ in
  // its session time zone, so the COPY runs in NDJSON_TIME_ZONE (offsets -03:30 and -02:30).
  const file = path.join(opts.workDir, `ndjson_compare_${opts.rows}.ndjson`);
  const want = { rows: opts.rows, gen: NDJSON_GEN_VERSION, duckdb: duckVersion, time_zone: NDJSON_TIME_ZONE };
  await ensureFile(file, want, async () => {
    const tz = (await q(`SELECT current_setting('TimeZone') AS tz`))[0].tz;
    await q(`SET TimeZone = '${NDJSON_TIME_ZONE}'`);
    try {
      await q(generateSql(opts.rows, file, 'json'));
    } finally {
      await q(`SET TimeZone = '${tz}'`);
    }
  });
  const bytes = fs.statSync(file).size;
  const mb = bytes / 1e6;
  console.log(`${file}: ${opts.rows} rows, ${mb.toFixed(1)} MB`);
  const head = (() => {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    return buf.subarray(0, n).toString('utf8').split('\n').slice(0, 3);
  })();
  console.log('what DuckDB wrote (first lines):');
  for (const l of head) console.log(`  ${l}`);

  // 2. What DuckDB sees: rows and nulls with the columns declared, and what its auto-detection makes
  // of the file.
  const readDecl = `read_ndjson('${file}', columns = ${duckColumns(NDJSON_COLUMNS)})`;
  const readAuto = `read_ndjson('${file}')`;
  const truth = (await q(`SELECT count(*) AS rows, ` +
    NDJSON_COLUMNS.map(([n]) => `count(*) - count("${n}") AS "${n}"`).join(', ') + ` FROM ${readDecl}`))[0];
  const duckRows = Number(truth.rows);
  const duckNulls = Object.fromEntries(NDJSON_COLUMNS.map(([n]) => [n, Number(truth[n])]));
  const forms = (await q(`SELECT count(*) FILTER (WHERE epoch_us(ts) % 1000000 = 0) AS ts_whole, ` +
    `count(*) FILTER (WHERE epoch_us(tstz) % 1000000 = 0) AS tstz_whole FROM ${readDecl}`))[0];
  console.log(`DuckDB ${duckVersion}: ${duckRows} rows; nulls ${JSON.stringify(duckNulls)}; ` +
    `whole seconds: ts ${forms.ts_whole}, tstz ${forms.tstz_whole}`);
  let duckAutoTypes = {};
  let duckAutoError = null;
  try {
    duckAutoTypes = Object.fromEntries((await q(`DESCRIBE SELECT * FROM ${readAuto}`))
      .map((r) => [r.column_name, r.column_type]));
  } catch (e) {
    duckAutoError = e.message;
    console.log(`DuckDB auto-detection fails: ${e.message}`);
  }

  const agg = `count(*), sum(id), sum(k), sum(price), sum(qty), count(flag), count_if(status), ` +
    `max(ship_date), max(ts), max(tstz), sum(length(comment))`;
  const aggDecl = `SELECT ${agg} FROM ${readDecl}`;
  const aggAuto = `SELECT ${agg} FROM ${readAuto}`;

  // 3. The configurations, timed alternately: every repetition runs each once, in a rotating order.
  const SLUICE_TYPES = sluiceTypes(NDJSON_COLUMNS);
  const configs = [];
  for (const t of opts.threads) {
    configs.push({ engine: 'sluice', types: 'inferred', threads: t });
    configs.push({ engine: 'sluice', types: 'declared', threads: t });
    configs.push({ engine: 'duckdb', types: 'declared', threads: t });
    if (opts.duckAuto && !duckAutoError) configs.push({ engine: 'duckdb', types: 'auto', threads: t });
  }
  configs.push({ engine: 'walk', types: 'in-memory', threads: 1 });
  configs.push({ engine: 'walk', types: 'streamed', threads: 1 });
  for (const c of configs) {
    c.times = [];
    c.rss = [];
    c.error = null;
  }
  const failures = [];
  const fail = (msg) => { if (!failures.includes(msg)) failures.push(msg); };
  const checkSluice = (c, outText) => {
    const r = JSON.parse(outText);
    c.sluiceTypes = Object.fromEntries(r.columns.map((col) => [col.name, col.type]));
    const problems = [];
    if (r.rows !== duckRows) problems.push(`rows ${r.rows} != DuckDB ${duckRows}`);
    if (r.bad_rows) problems.push(`${r.bad_rows} bad rows`);
    const names = r.columns.map((col) => col.name);
    if (names.join(',') !== NDJSON_COLUMNS.map(([n]) => n).join(','))
      problems.push(`columns [${names}] != [${NDJSON_COLUMNS.map(([n]) => n)}]`);
    for (const col of r.columns)
      if (col.name in duckNulls && col.nulls !== duckNulls[col.name])
        problems.push(`column ${col.name}: ${col.nulls} nulls != DuckDB ${duckNulls[col.name]}`);
    for (const [n, s] of NDJSON_COLUMNS) {
      const got = c.sluiceTypes[n];
      const exp = c.types === 'inferred' ? EXPECTED_INFERRED[n] : SLUICE_TYPE_NAMES[s];
      if (got !== undefined && got !== exp)
        problems.push(`${c.types === 'inferred' ? 'inferred' : `declared ${n}=${s} but`} ${n}: ${got}, expected ${exp}`);
    }
    for (const p of problems) fail(`sluice ${c.types} --threads ${c.threads}: ${p}`);
  };

  const busy = await warnIfBusy();
  console.log(`timing ${configs.length} configurations x ${opts.reps} repetitions (peak RSS via ${rssMethod}) ...`);
  for (let rep = 0; rep < opts.reps; ++rep) {
    for (let j = 0; j < configs.length; ++j) {
      const c = configs[(j + rep) % configs.length];
      if (c.error) continue;
      let seconds;
      try {
        if (c.engine === 'sluice') {
          const args = ['scan', file, '--threads', String(c.threads)];
          if (c.types === 'declared') args.push('--types', SLUICE_TYPES);
          warm(file);
          const r = await runSluice(opts, rssMethod, args);
          seconds = r.seconds;
          c.rss.push(r.rssKiB);
          checkSluice(c, r.stdout);
        } else if (c.engine === 'duckdb') {
          await q(`SET threads = ${c.threads}`);
          warm(file);
          const t0 = performance.now();
          const res = await q(c.types === 'auto' ? aggAuto : aggDecl);
          seconds = (performance.now() - t0) / 1000;
          const n = Number(Object.values(res[0])[0]);
          if (n !== duckRows) fail(`DuckDB ${c.types} counted ${n} rows, not ${duckRows}`);
        } else {
          // The walk times itself: in-memory after loading the file (reading excluded), streamed
          // while reading it in blocks as sluice does (reading included; start-up excluded).
          warm(file);
          const args = [file, '--batch-size', opts.batchSize];
          if (c.types === 'streamed') args.push('--stream');
          const r = await runProgram(opts.walk, 'none', args);
          const w = JSON.parse(r.stdout);
          seconds = w.seconds;
          c.walk = w;
          if (w.records !== duckRows) fail(`the simdjson walk counted ${w.records} records, not ${duckRows}`);
        }
      } catch (e) {
        c.error = String(e.message).trim().split('\n').slice(0, 3).join(' | ');
        console.log(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.types.padEnd(9)} t=${c.threads}  FAILED: ${c.error}`);
        fail(`${c.engine} ${c.types} --threads ${c.threads}: ${c.error}`);
        continue;
      }
      c.times.push(seconds);
      process.stdout.write(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.types.padEnd(9)} ` +
        `t=${c.threads}  ${seconds.toFixed(3)} s\n`);
    }
  }

  // 4. The table.
  const find = (engine, types, threads) => configs.find((c) => c.engine === engine && c.types === types &&
    c.threads === threads && c.times.length);
  for (const c of configs) {
    c.best = c.times.length ? Math.min(...c.times) : null;
    c.median = c.times.length ? median(c.times) : null;
    c.mbps = c.best ? mb / c.best : null;
    c.peakRssKiB = c.rss.length ? Math.max(...c.rss) : null;
  }
  const t1 = opts.threads[0];
  // The bound sluice is held to reads its input as sluice does; the in-memory walk is shown beside it.
  const walk = find('walk', 'streamed', 1) ?? find('walk', 'in-memory', 1);
  const rows = configs.map((c) => {
    const duck = find('duckdb', 'declared', c.threads);
    const single = find(c.engine, c.types, t1);
    const ok = c.best !== null;
    return {
      engine: c.engine, types: c.types, threads: c.threads, best: c.best, median: c.median, mbps: c.mbps,
      vsDuck: ok && c.engine === 'sluice' && duck ? duck.best / c.best : null,
      ofWalk: ok && c.engine !== 'walk' && c.threads === 1 && walk ? walk.best / c.best : null,
      speedup: ok && c.threads !== t1 && single ? single.best / c.best : null,
      rss: c.peakRssKiB, error: c.error,
    };
  });
  console.log(`\n${opts.rows} rows, ${mb.toFixed(1)} MB, best of ${opts.reps} (median beside it); ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average before ` +
    `${loadBefore.map((x) => x.toFixed(2)).join(' ')}, now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  printTable(['engine', 'types', 'threads', 'best s', 'median s', 'MB/s', 'sluice/DuckDB', 'of walk',
    `speedup vs ${t1}t`, 'peak RSS'],
  rows.map((r) => r.best === null
    ? [r.engine, r.types, String(r.threads), 'failed', '', '', '', '', '', '']
    : [r.engine, r.types, String(r.threads), fmt(r.best, 3), fmt(r.median, 3), fmt(r.mbps, 0),
      r.vsDuck === null ? '' : `${fmt(r.vsDuck)}x`, r.ofWalk === null ? '' : `${fmt(r.ofWalk * 100, 0)}%`,
      r.speedup === null ? '' : `${fmt(r.speedup)}x`, r.rss ? mib(r.rss) : '']));
  console.log('sluice/DuckDB: throughput ratio to DuckDB with the columns declared, same thread count (> 1: ' +
    'sluice is faster).\nof walk: throughput as a share of the streamed simdjson walk (one thread; it reads ' +
    'the file in blocks as sluice\ndoes, its time excludes only process start-up; the in-memory walk ' +
    'excludes reading the file too). duckdb auto: read_ndjson ' +
    'with auto-detection (see its types below).\nDuckDB runs in this process, so its RSS is not shown.');

  // Types: sluice's inferred, DuckDB's auto-detected, and what is expected.
  const inferred = find('sluice', 'inferred', t1)?.sluiceTypes ?? {};
  console.log('\ninferred types  sluice                 | DuckDB auto-detection | expected');
  for (const [n] of NDJSON_COLUMNS)
    console.log(`  ${n.padEnd(10)} ${String(inferred[n] ?? '-').padEnd(22)} ${String(duckAutoTypes[n] ?? '-').padEnd(22)}` +
      ` ${EXPECTED_INFERRED[n]}${inferred[n] !== undefined && inferred[n] !== EXPECTED_INFERRED[n] ? '  <- WRONG' : ''}`);
  if (duckAutoError) console.log(`DuckDB auto-detection failed: ${duckAutoError}`);

  // The issue's targets against these figures.
  const s1 = find('sluice', 'inferred', 1);
  const s2 = find('sluice', 'inferred', 2);
  const d1 = find('duckdb', 'declared', 1);
  const targets = [];
  if (s1 && d1) targets.push(['1 thread: sluice / DuckDB', d1.best / s1.best, TARGETS.vsDuck1, 'x']);
  if (s1 && walk) targets.push(['1 thread: sluice / simdjson walk', walk.best / s1.best, TARGETS.ofWalk1, '%']);
  if (s1 && s2) targets.push(['2 threads / 1 thread (sluice)', s1.best / s2.best, TARGETS.speedup2, 'x']);
  console.log('\ntargets (sluice, types inferred):');
  if (!targets.length) console.log('  - (no sluice figures)');
  for (const [what, got, goal, unit] of targets) {
    const show = (x) => (unit === '%' ? `${fmt(x * 100, 0)}%` : `${fmt(x)}x`);
    console.log(`  ${what.padEnd(34)} ${show(got).padStart(6)}  (target >= ${show(goal)}: ${got >= goal ? 'met' : 'MISSED'})`);
  }

  // 5. Results.
  const out = opts.out ?? path.join(opts.workDir, `ndjson_compare_${opts.rows}.json`);
  const result = {
    date: new Date().toISOString(), machine: machine(),
    sluice: opts.sluice, walk: opts.walk, duckdb: duckVersion, rss_method: rssMethod,
    file: { path: file, rows: opts.rows, bytes, first_lines: head.slice(0, 2) }, reps: opts.reps,
    walk_info: walk?.walk ?? null,
    duckdb_truth: { rows: duckRows, nulls: duckNulls, whole_seconds: forms },
    duckdb_auto_types: duckAutoTypes, duckdb_auto_error: duckAutoError,
    sluice_inferred_types: inferred, expected_inferred_types: EXPECTED_INFERRED,
    results: rows.map((r, i) => ({ ...r, times: configs[i].times })),
    targets: targets.map(([what, got, goal]) => ({ what, got, goal, met: got >= goal })),
    failures, load_average: { before: loadBefore, after: os.loadavg() }, busy_before_timing: busy,
  };
  finish(out, result, failures, 'rows and null counts equal DuckDB\'s, and the inferred types are right, in every sluice run');
}

main().catch((e) => die(e.stack || String(e)));
