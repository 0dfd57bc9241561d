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
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Bump when the generator changes, so cached files are made again.
const GEN_VERSION = 1;
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

function parseArgs(argv) {
  const o = {
    rows: 4_000_000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    sluice: path.join(REPO, 'build', 'tools', 'sluice', 'sluice'),
    reps: 3,
    threads: [1, 2],
    bigFactor: 4,
    rss: 'auto',
    out: null,
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    const val = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    const int = (what) => {
      const v = val();
      if (!/^\d+$/.test(v ?? '')) die(`${what} wants a non-negative integer, not '${v}'`, 2);
      return Number(v);
    };
    switch (key) {
      case '--rows': o.rows = int('--rows'); break;
      case '--work-dir': o.workDir = path.resolve(val()); break;
      case '--sluice': o.sluice = path.resolve(val()); break;
      case '--reps': o.reps = Math.max(1, int('--reps')); break;
      case '--threads': o.threads = val().split(',').map(Number); break;
      case '--big-factor': o.bigFactor = int('--big-factor'); break;
      case '--rss': o.rss = val(); break;
      case '--out': o.out = path.resolve(val()); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: die(`unknown option '${a}'\n${USAGE}`, 2);
    }
  }
  if (o.rows < 1) die('--rows must be at least 1', 2);
  if (o.threads.some((t) => !Number.isInteger(t) || t < 1)) die('--threads wants a list like 1,2', 2);
  if (!['auto', 'time', 'proc'].includes(o.rss)) die('--rss is auto, time or proc', 2);
  return o;
}

function die(msg, code = 1) {
  console.error(`csv_compare: ${msg}`);
  process.exit(code);
}

// ---- the table ----------------------------------------------------------------------------------

// Declared types, in sluice's names and DuckDB's.
const COLUMNS = [
  ['id', 'int64', 'BIGINT'],
  ['k', 'int32', 'INTEGER'],
  ['price', 'float64', 'DOUBLE'],
  ['qty', 'int32', 'INTEGER'],
  ['flag', 'string', 'VARCHAR'],
  ['status', 'bool', 'BOOLEAN'],
  ['ship_date', 'date', 'DATE'],
  ['ts', 'timestamp', 'TIMESTAMP'],
  ['comment', 'string', 'VARCHAR'],
];
const SLUICE_TYPES = COLUMNS.map(([n, s]) => `${n}=${s}`).join(',');
const DUCK_COLUMNS = '{' + COLUMNS.map(([n, , d]) => `'${n}': '${d}'`).join(', ') + '}';

// Words for the comments: no commas or quotes; those are put in on purpose below.
const WORDS = ('carefully final deposits sleep quickly among the furiously regular accounts boost slyly ' +
  'express ideas pending packages haggle blithely ironic requests wake bold theodolites nag across even ' +
  'pinto beans unusual instructions cajole fluffily special foxes detect silent dependencies integrate ' +
  'busily dolphins thrash daring platelets use quietly asymptotes doze furious courts grow careful ' +
  'excuses are above warthogs after sauternes solve close frets promise waters engage idle hockey players').split(' ');

// A long text of words in a fixed pseudo-random order, from which comments are cut.
function commentSource() {
  let x = 12345;
  const out = [];
  let len = 0;
  while (len < 6000) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const w = WORDS[x % WORDS.length];
    out.push(w);
    len += w.length + 1;
  }
  return out.join(' ');
}

// Every value is a function of the row number through hash(i, salt): the same file every time (for
// one DuckDB version, which the cache marker records).
function generateSql(rows, file) {
  const text = commentSource();
  const T = text.length;
  const h = (salt) => `hash(i, '${salt}')`;
  return `
COPY (
  WITH base AS (
    SELECT range AS i,
           (10 + ${h('len')} % 51)::BIGINT AS clen,
           ${h('punct')} % 100 AS punct
    FROM range(${rows})
  ), cut AS (
    SELECT *,
           -- two pieces of the text: comments vary in words as well as length
           greatest(1, clen // 2 - 1 + (${h('split')} % 5)::BIGINT) AS l1
    FROM base
  ), parts AS (
    SELECT *,
           substr(t.txt, 1 + (${h('off1')} % ${T - 80})::BIGINT, l1) || ' ' ||
           substr(t.txt, 1 + (${h('off2')} % ${T - 80})::BIGINT, clen - l1 - 1) AS c0
    FROM cut, (SELECT '${text}' AS txt) t
  )
  SELECT
    i + 1                                                          AS id,
    (${h('k')} % 2000001)::INTEGER - 1000000                       AS k,
    (${h('price')} % 10000000)::DOUBLE / 100                       AS price,
    (1 + ${h('qty')} % 50)::INTEGER                                AS qty,
    ['A', 'N', 'R', 'O'][1 + (${h('flag')} % 4)::INTEGER]           AS flag,
    ${h('status')} % 3 = 0                                         AS status,
    DATE '1992-01-01' + (${h('date')} % 2557)::INTEGER             AS ship_date,
    TIMESTAMP '2015-01-01' + to_microseconds(
        (${h('sec')} % 315360000)::BIGINT * 1000000 + 1 + (${h('us')} % 999999)::BIGINT) AS ts,
    CASE
      WHEN ${h('null')} % 20 = 0 THEN NULL
      WHEN punct < 3 THEN substr(c0, 1, clen // 2) || ',' || substr(c0, clen // 2 + 2)
      WHEN punct < 5 THEN substr(c0, 1, clen // 3) || '"' || substr(c0, clen // 3 + 2)
      WHEN punct < 6 THEN substr(c0, 1, 3) || '"' || substr(c0, 5, clen // 2 - 4) || ', ' ||
                          substr(c0, clen // 2 + 3)
      ELSE c0
    END                                                            AS comment
  FROM parts
  ORDER BY i
) TO '${file}' (FORMAT csv, HEADER true, DELIMITER ',');`;
}

// ---- helpers ------------------------------------------------------------------------------------

function readMarker(file) {
  try {
    return JSON.parse(fs.readFileSync(file + '.ok.json', 'utf8'));
  } catch {
    return null;
  }
}

function writeMarker(file, info) {
  fs.writeFileSync(file + '.ok.json', JSON.stringify(info, null, 2) + '\n');
}

function cachedOk(file, want) {
  const m = readMarker(file);
  if (!m || !fs.existsSync(file)) return false;
  for (const [k, v] of Object.entries(want)) if (m[k] !== v) return false;
  return fs.statSync(file).size === m.bytes;
}

// Reads the whole file so that the timed run finds it in the page cache (these machines evict idle
// pages after ~30 s; without this the disk is measured).
const WARM_BUF = Buffer.allocUnsafe(16 << 20);
function warm(file) {
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, WARM_BUF, 0, WARM_BUF.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const mib = (kib) => (kib ? `${(kib / 1024).toFixed(1)} MiB` : '-');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- sluice runs with peak RSS ------------------------------------------------------------------

// GNU time if it works here (-f and -o are GNU's; BSD and busybox variants differ), else polling.
function chooseRssMethod(want) {
  const probe = path.join(os.tmpdir(), `csv_compare_probe_${process.pid}.txt`);
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', probe, 'true'], { stdio: 'ignore' });
  let hasTime = false;
  try {
    hasTime = r.status === 0 && /^\d+$/.test(fs.readFileSync(probe, 'utf8').trim().split('\n').pop());
    fs.unlinkSync(probe);
  } catch { /* no GNU time */ }
  if (want === 'time' && !hasTime) die('--rss time: GNU time is not installed at /usr/bin/time', 2);
  return want === 'auto' ? (hasTime ? 'time' : 'proc') : want;
}

// Share of CPU time the machine spent busy over `ms` (from /proc/stat), to warn when others run.
async function busyShare(ms) {
  const sample = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = sample();
    await new Promise((r) => setTimeout(r, ms));
    const b = sample();
    return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
  } catch {
    return null;
  }
}

function readHwmKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;  // gone already
  }
}

// Runs `sluice args...`; resolves {seconds, stdout, rssKiB}. Peak RSS comes from GNU time's %M (the
// kernel's ru_maxrss for the child, exact), or else from polling /proc/PID/status VmHWM every 20 ms
// (a high-water mark, so only growth in the last 20 ms before exit can be missed).
function runSluice(opts, rssMethod, args) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `csv_compare_rss_${process.pid}.txt`);
    const [cmd, argv] = rssMethod === 'time'
      ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, opts.sluice, ...args]]
      : [opts.sluice, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', hwm = 0, end = null;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const poll = rssMethod === 'proc'
      ? setInterval(() => (hwm = Math.max(hwm, readHwmKiB(child.pid))), 20)
      : null;
    // The time is taken when the process exits, not when its pipes are drained.
    child.on('exit', () => (end = process.hrtime.bigint()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      const seconds = Number((end ?? process.hrtime.bigint()) - t0) / 1e9;
      let rssKiB = hwm;
      if (rssMethod === 'time') {
        try {
          rssKiB = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
          fs.unlinkSync(rssFile);
        } catch { rssKiB = 0; }
      }
      if (code !== 0) {
        reject(new Error(`sluice ${args.join(' ')} failed (exit ${code ?? signal}):\n${err.trim()}`));
        return;
      }
      resolve({ seconds, stdout: out, rssKiB });
    });
  });
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.sluice)) die(`no sluice binary at ${opts.sluice} (build it, or pass --sluice)`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  const rssMethod = chooseRssMethod(opts.rss);
  const loadBefore = os.loadavg();

  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const duckVersion = (await q('SELECT version() AS v'))[0].v;
  // Local files should be read like sluice reads them: from the page cache, every time.
  try { await q('SET enable_external_file_cache = false'); } catch { /* older DuckDB: no such cache */ }

  // 1. The data file, made once per (rows, generator, DuckDB version).
  const file = path.join(opts.workDir, `csv_compare_${opts.rows}.csv`);
  const want = { rows: opts.rows, gen: GEN_VERSION, duckdb: duckVersion };
  if (cachedOk(file, want)) {
    console.log(`using cached ${file}`);
  } else {
    console.log(`generating ${opts.rows} rows into ${file} ...`);
    const t0 = performance.now();
    try { fs.unlinkSync(file + '.ok.json'); } catch { /* none */ }
    await q(generateSql(opts.rows, file));
    writeMarker(file, { ...want, bytes: fs.statSync(file).size });
    console.log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
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
        const exp = { int64: 'int64', int32: 'int32', float64: 'float64', string: 'string', bool: 'bool',
          date: 'date32', timestamp: 'timestamp[us]' }[s];
        if (got !== undefined && !(got === exp || got.startsWith(exp) || got === s))
          problems.push(`declared ${n}=${s} but sluice reports ${got}`);
      }
    for (const p of problems) {
      const msg = `sluice ${c.types} --threads ${c.threads}: ${p}`;
      if (!failures.includes(msg)) failures.push(msg);
    }
  };

  const busy = await busyShare(1000);
  if (busy !== null && busy > 0.2)
    console.log(`WARNING: the machine was ${(busy * 100).toFixed(0)}% busy over the last second before timing; ` +
      'other work will skew the figures');
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
  const table = [head, ...rows.map((r) => [r.engine, r.types, String(r.threads), fmt(r.best, 3),
    fmt(r.median, 3), fmt(r.mbps, 0), r.vsDuck === null ? '' : `${fmt(r.vsDuck)}x`,
    r.speedup === null ? '' : `${fmt(r.speedup)}x`, r.rss ? mib(r.rss) : ''])];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [ri, r] of table.entries()) {
    console.log(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    if (ri === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
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
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1) },
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
