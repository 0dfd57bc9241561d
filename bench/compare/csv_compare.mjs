#!/usr/bin/env node
// End-to-end CSV decode: sluice against DuckDB on the same generated file, in the same run.
//
//   flock /tmp/sluice-build.lock node bench/compare/csv_compare.mjs [options]
//
// Generates (once, cached) a CSV with DuckDB, then times, alternating and repeated, `sluice scan`
// (declared types and inferred types, 1 and 2 threads) against DuckDB's read_csv with declared types
// and an aggregate over every column (1 and 2 threads). Checks that both see the same rows and nulls,
// records sluice's peak RSS, and shows that the peak does not grow with the size of the input. See
// README.md beside this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO, GEN_VERSION, COLUMNS, SLUICE_TYPES, SLUICE_TYPE_NAMES, DUCK_COLUMNS, makeDie, parseOptions, openDuck,
  cachedOk, writeMarker, ensureCsv, warm, fmt, mib, median, printTable, machine, chooseRssMethod, warnIfBusy,
  runSluice,
} from './common.mjs';

// The memory check fails a run only when the normal file is at least this large (~600,000 rows).
const MIN_JUDGED_BYTES = 64 << 20;

const USAGE = `usage: node bench/compare/csv_compare.mjs [options]
  --rows N          rows of the generated table (default 4000000)
  --work-dir DIR    where data and results go (default $SLUICE_BENCH_DIR or build/bench-data)
  --sluice PATH     sluice binary (default build/tools/sluice/sluice)
  --reps N          timed repetitions of every configuration, best kept (default 3)
  --threads LIST    thread counts to compare (default 1,2)
  --big-factor F    the memory check scans a file F times larger (default 4; 0 skips the check)
  --rss METHOD      how sluice's peak RSS is taken: auto | time | proc (default auto)
  --out FILE        results as JSON (default WORK_DIR/csv_compare_<rows>.json)`;

// ---- options --------------------------------------------------------------------------------------

const die = makeDie('csv_compare');

function parseArgs(argv) {
  const o = parseOptions(argv, {
    rows: 4_000_000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    sluice: path.join(REPO, 'build', 'tools', 'sluice', 'sluice'),
    reps: 3,
    threads: [1, 2],
    bigFactor: 4,
    rss: 'auto',
    out: null,
  }, {
    '--rows': (g, o) => (o.rows = g.int('--rows')),
    '--work-dir': (g, o) => (o.workDir = g.path()),
    '--sluice': (g, o) => (o.sluice = g.path()),
    '--reps': (g, o) => (o.reps = Math.max(1, g.int('--reps'))),
    '--threads': (g, o) => (o.threads = g.str().split(',').map(Number)),
    '--big-factor': (g, o) => (o.bigFactor = g.int('--big-factor')),
    '--rss': (g, o) => (o.rss = g.str()),
    '--out': (g, o) => (o.out = g.path()),
  }, USAGE, die);
  if (o.rows < 1) die('--rows must be at least 1', 2);
  if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) die('--threads wants a list like 1,2', 2);
  if (!['auto', 'time', 'proc'].includes(o.rss)) die('--rss is auto, time or proc', 2);
  return o;
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.sluice)) die(`no sluice binary at ${opts.sluice} (build it, or pass --sluice)`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  const rssMethod = chooseRssMethod(opts.rss, die);
  const loadBefore = os.loadavg();

  const { q, version: duckVersion } = await openDuck();

  // 1. The data file, made once per (rows, generator, DuckDB version).
  const file = await ensureCsv(q, duckVersion, opts.workDir, opts.rows);
  const bytes = fs.statSync(file).size;
  const mb = bytes / 1e6;
  console.log(`${file}: ${opts.rows} rows, ${mb.toFixed(1)} MB`);

  // 2. What DuckDB sees: rows and nulls with the declared types, and its own sniffed types.
  const readCsv = `read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"', ` +
    `auto_detect = false, columns = ${DUCK_COLUMNS})`;
  const truth = (await q(`SELECT count(*) AS rows, ` +
    COLUMNS.map(([n]) => `count(*) - count("${n}") AS "${n}"`).join(', ') + ` FROM ${readCsv}`))[0];
  const duckRows = Number(truth.rows);
  const duckNulls = Object.fromEntries(COLUMNS.map(([n]) => [n, Number(truth[n])]));
  const duckSniffed = Object.fromEntries((await q(`DESCRIBE SELECT * FROM read_csv('${file}')`))
    .map((r) => [r.column_name, r.column_type]));
  const quoted = (await q(`SELECT count(*) FILTER (WHERE contains(comment, ',')) AS commas, ` +
    `count(*) FILTER (WHERE contains(comment, '"')) AS quotes FROM ${readCsv}`))[0];
  console.log(`DuckDB ${duckVersion}: ${duckRows} rows; nulls ${JSON.stringify(duckNulls)}; ` +
    `comments with a comma ${quoted.commas}, with a quote ${quoted.quotes}`);

  const aggSql = `SELECT count(*), sum(id), sum(k), sum(price), sum(qty), count(flag), count_if(status), ` +
    `max(ship_date), max(ts), sum(length(comment)) FROM ${readCsv}`;

  // 3. The configurations, timed alternately: every repetition runs each once, in a rotating order.
  const configs = [];
  for (const t of opts.threads) {
    configs.push({ engine: 'sluice', types: 'declared', threads: t });
    configs.push({ engine: 'sluice', types: 'inferred', threads: t });
    // Declared types and a given dialect: no sniffing, as DuckDB's auto_detect = false.
    configs.push({ engine: 'sluice', types: 'decl+dialect', threads: t });
    configs.push({ engine: 'duckdb', types: 'declared', threads: t });
  }
  for (const c of configs) {
    c.times = [];
    c.rss = [];
  }
  const failures = [];
  const checkSluice = (c, outText) => {
    const r = JSON.parse(outText);
    c.sluiceTypes = Object.fromEntries(r.columns.map((col) => [col.name, col.type]));
    const problems = [];
    if (r.rows !== duckRows) problems.push(`rows ${r.rows} != DuckDB ${duckRows}`);
    if (r.bad_rows) problems.push(`${r.bad_rows} bad rows`);
    const names = r.columns.map((col) => col.name);
    if (names.join(',') !== COLUMNS.map(([n]) => n).join(','))
      problems.push(`columns [${names}] != [${COLUMNS.map(([n]) => n)}]`);
    for (const col of r.columns)
      if (col.name in duckNulls && col.nulls !== duckNulls[col.name])
        problems.push(`column ${col.name}: ${col.nulls} nulls != DuckDB ${duckNulls[col.name]}`);
    if (c.types !== 'inferred')
      for (const [n, s] of COLUMNS) {
        const got = c.sluiceTypes[n];
        const exp = SLUICE_TYPE_NAMES[s];
        if (got !== undefined && !(got === exp || got.startsWith(exp) || got === s))
          problems.push(`declared ${n}=${s} but sluice reports ${got}`);
      }
    for (const p of problems) {
      const msg = `sluice ${c.types} --threads ${c.threads}: ${p}`;
      if (!failures.includes(msg)) failures.push(msg);
    }
  };

  const busy = await warnIfBusy();
  console.log(`timing ${configs.length} configurations x ${opts.reps} repetitions (peak RSS via ${rssMethod}) ...`);
  for (let rep = 0; rep < opts.reps; ++rep) {
    for (let j = 0; j < configs.length; ++j) {
      const c = configs[(j + rep) % configs.length];
      let seconds;
      if (c.engine === 'sluice') {
        const args = ['scan', file, '--threads', String(c.threads)];
        if (c.types !== 'inferred') args.push('--types', SLUICE_TYPES);
        if (c.types === 'decl+dialect') args.push('--delimiter', ',', '--quote', '"', '--header');
        warm(file);
        const r = await runSluice(opts, rssMethod, args);
        seconds = r.seconds;
        c.rss.push(r.rssKiB);
        checkSluice(c, r.stdout);
      } else {
        await q(`SET threads = ${c.threads}`);
        warm(file);
        const t0 = performance.now();
        const res = await q(aggSql);
        seconds = (performance.now() - t0) / 1000;
        const n = Number(Object.values(res[0])[0]);
        if (n !== duckRows) failures.push(`DuckDB aggregate counted ${n} rows, not ${duckRows}`);
      }
      c.times.push(seconds);
      process.stdout.write(`  rep ${rep + 1}: ${c.engine.padEnd(6)} ${c.types.padEnd(12)} ` +
        `t=${c.threads}  ${seconds.toFixed(3)} s\n`);
    }
  }

  // 4. The table.
  const find = (engine, types, threads) => configs.find((c) => c.engine === engine && c.types === types &&
    c.threads === threads);
  for (const c of configs) {
    c.best = Math.min(...c.times);
    c.median = median(c.times);
    c.mbps = mb / c.best;
    c.peakRssKiB = c.rss.length ? Math.max(...c.rss) : null;
  }
  const t1 = opts.threads[0];
  const rows = [];
  for (const c of configs) {
    const duck = find('duckdb', 'declared', c.threads);
    const single = find(c.engine, c.types, t1);
    rows.push({
      engine: c.engine, types: c.types, threads: c.threads, best: c.best, median: c.median, mbps: c.mbps,
      vsDuck: c.engine === 'sluice' ? duck.best / c.best : null,
      speedup: c.threads !== t1 ? single.best / c.best : null,
      rss: c.peakRssKiB,
    });
  }
  console.log(`\n${opts.rows} rows, ${mb.toFixed(1)} MB, best of ${opts.reps} (median beside it); ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average before ` +
    `${loadBefore.map((x) => x.toFixed(2)).join(' ')}, now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const head = ['engine', 'types', 'threads', 'best s', 'median s', 'MB/s', 'sluice/DuckDB',
    `speedup vs ${t1}t`, 'peak RSS'];
  printTable(head, rows.map((r) => [r.engine, r.types, String(r.threads), fmt(r.best, 3),
    fmt(r.median, 3), fmt(r.mbps, 0), r.vsDuck === null ? '' : `${fmt(r.vsDuck)}x`,
    r.speedup === null ? '' : `${fmt(r.speedup)}x`, r.rss ? mib(r.rss) : '']));
  console.log('sluice/DuckDB: throughput ratio at the same thread count (> 1: sluice is faster). ' +
    'decl+dialect: declared types and\n--delimiter , --quote \'"\' --header, so nothing is sniffed ' +
    '(DuckDB runs with auto_detect = false). DuckDB runs in\nthis process, so its RSS is not shown.');

  // Inferred types next to DuckDB's sniffed ones (information; inference may pick a wider type).
  const inferred = find('sluice', 'inferred', t1).sluiceTypes ?? {};
  console.log('\ninferred types  sluice | DuckDB sniffer');
  for (const [n] of COLUMNS) console.log(`  ${n.padEnd(10)} ${String(inferred[n]).padEnd(16)} ${duckSniffed[n]}`);

  // 5. Memory does not grow with the input: the same scan over a file `bigFactor` times larger.
  let memory = null;
  if (opts.bigFactor > 1) {
    const big = path.join(opts.workDir, `csv_compare_${opts.rows}_x${opts.bigFactor}.csv`);
    const wantBig = { rows: opts.rows * opts.bigFactor, gen: GEN_VERSION, duckdb: duckVersion, base_bytes: bytes };
    if (cachedOk(big, wantBig)) {
      console.log(`\nusing cached ${big}`);
    } else {
      console.log(`\nwriting ${big} (header + body x ${opts.bigFactor}) ...`);
      try { fs.unlinkSync(big + '.ok.json'); } catch { /* none */ }
      const src = fs.readFileSync(file);
      const nl = src.indexOf(10);
      const fd = fs.openSync(big, 'w');
      fs.writeSync(fd, src, 0, nl + 1);
      for (let i = 0; i < opts.bigFactor; ++i) {
        for (let off = nl + 1; off < src.length; ) off += fs.writeSync(fd, src, off, src.length - off);
      }
      fs.closeSync(fd);
      writeMarker(big, { ...wantBig, bytes: fs.statSync(big).size });
    }
    const bigBytes = fs.statSync(big).size;
    // Peak RSS is noisy with threads (how many chunks are in flight when the peak is taken), so each
    // side is the highest of several runs: the timed runs above for the generated file, and as many
    // again for the big one.
    const scanBig = async (t) => {
      warm(big);
      const r = await runSluice(opts, rssMethod, ['scan', big, '--threads', String(t)]);
      return { ...r, rows: JSON.parse(r.stdout).rows };
    };
    memory = { factor: bigBytes / bytes, big: { path: big, bytes: bigBytes }, runs: [] };
    console.log(`memory check: sluice scan (inferred types) of ${(bytes / 1e6).toFixed(0)} MB and of ` +
      `${(bigBytes / 1e6).toFixed(0)} MB (x${(bigBytes / bytes).toFixed(2)}), peak RSS, highest of ${opts.reps} runs:`);
    for (const t of opts.threads) {
      const base = find('sluice', 'inferred', t);
      const bigRuns = [];
      for (let rep = 0; rep < opts.reps; ++rep) bigRuns.push(await scanBig(t));
      for (const r of bigRuns)
        if (r.rows !== opts.rows * opts.bigFactor)
          failures.push(`sluice counted ${r.rows} rows in the x${opts.bigFactor} file, not ${opts.rows * opts.bigFactor}`);
      const small = Math.max(...base.rss);
      const large = Math.max(...bigRuns.map((r) => r.rssKiB));
      const bigBest = Math.min(...bigRuns.map((r) => r.seconds));
      // Allow noise (allocator, thread stacks, chunks in flight): 25% and 16 MiB. A file of a few
      // blocks (4 MiB each) ends before the pipeline is full, so its peak is no baseline: not judged.
      const judged = bytes >= MIN_JUDGED_BYTES;
      const ok = !judged || large <= small * 1.25 + 16 * 1024;
      memory.runs.push({ threads: t, peakRssKiB: small, bigPeakRssKiB: large, ratio: large / small, ok, judged,
        bigSeconds: bigRuns.map((r) => r.seconds), bigMBps: bigBytes / 1e6 / bigBest });
      console.log(`  --threads ${t}: ${mib(small).padStart(10)} -> ${mib(large).padStart(10)}  ` +
        `(x${(large / small).toFixed(2)}; big file ${(bigBytes / 1e6 / bigBest).toFixed(0)} MB/s)  ` +
        (!judged ? `not judged: the file is under ${MIN_JUDGED_BYTES >> 20} MiB` :
          ok ? 'does not grow with the input' : 'GROWS WITH THE INPUT'));
      if (!ok) failures.push(`peak RSS at --threads ${t} grows with the input: ${mib(small)} -> ${mib(large)}`);
    }
  }

  // 6. Results for the README.
  const out = opts.out ?? path.join(opts.workDir, `csv_compare_${opts.rows}.json`);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    sluice: opts.sluice, duckdb: duckVersion, rss_method: rssMethod,
    file: { path: file, rows: opts.rows, bytes }, reps: opts.reps,
    duckdb_truth: { rows: duckRows, nulls: duckNulls, sniffed_types: duckSniffed },
    sluice_inferred_types: inferred,
    results: rows.map((r, i) => ({ ...r, times: configs[i].times })),
    memory, failures,
    load_average: { before: loadBefore, after: os.loadavg() }, busy_before_timing: busy,
  };
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults written to ${out}`);

  if (failures.length) {
    console.error('\nFAILED: sluice disagrees with DuckDB or with itself:');
    for (const f of failures) console.error(`  - ${f}`);
    process.exitCode = 1;
  } else {
    console.log('checks passed: rows and null counts equal DuckDB\'s in every sluice run');
  }
}

main().catch((e) => die(e.stack || String(e)));
