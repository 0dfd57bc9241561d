// What the comparison scripts share: the generated table (SQL for DuckDB), cached data files with
// marker files, warming the page cache, running a program with its peak RSS, the machine's business,
// option parsing and table printing. Used by csv_compare.mjs, ndjson_compare.mjs and write_compare.mjs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Bump when the generator of the shared table changes, so cached files are made again.
export const GEN_VERSION = 1;
// The NDJSON variant of the table (its own timestamp forms and the time-zone column): bumped on its own.
export const NDJSON_GEN_VERSION = 1;

// ---- errors and options ---------------------------------------------------------------------------

// A die(msg, code) that names the script.
export function makeDie(name) {
  return (msg, code = 1) => {
    console.error(`${name}: ${msg}`);
    process.exit(code);
  };
}

// Parses argv into `o` (defaults filled in): `handlers` maps an option to (get, o) => void, where
// get.str() is its value (--opt V or --opt=V), get.int(what) a non-negative integer, get.path() a
// resolved path. -h/--help prints usage and exits 0; anything else unknown exits 2.
export function parseOptions(argv, o, handlers, usage, die) {
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    const str = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    const get = {
      str,
      int: (what) => {
        const v = str();
        if (!/^\d+$/.test(v ?? '')) die(`${what} wants a non-negative integer, not '${v}'`, 2);
        return Number(v);
      },
      path: () => path.resolve(str()),
    };
    if (key === '-h' || key === '--help') {
      console.log(usage);
      process.exit(0);
    }
    const h = handlers[key];
    if (!h) die(`unknown option '${a}'\n${usage}`, 2);
    h(get, o);
  }
  return o;
}

// ---- the table ----------------------------------------------------------------------------------

// Declared types, in sluice's names and DuckDB's.
export const COLUMNS = [
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
// The NDJSON file's columns: the same plus a TIMESTAMP WITH TIME ZONE before the comment.
export const NDJSON_COLUMNS = [...COLUMNS.slice(0, 8), ['tstz', 'timestamptz', 'TIMESTAMPTZ'], COLUMNS[8]];

export const sluiceTypes = (columns) => columns.map(([n, s]) => `${n}=${s}`).join(',');
export const duckColumns = (columns) => '{' + columns.map(([n, , d]) => `'${n}': '${d}'`).join(', ') + '}';
export const SLUICE_TYPES = sluiceTypes(COLUMNS);
export const DUCK_COLUMNS = duckColumns(COLUMNS);
// How sluice prints a declared type (its `scan` and `schema` output).
export const SLUICE_TYPE_NAMES = {
  int64: 'int64', int32: 'int32', float64: 'float64', string: 'string', bool: 'bool', date: 'date32',
  timestamp: 'timestamp[us]', timestamptz: 'timestamp[us, tz=UTC]',
};

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

// The session time zone DuckDB renders the NDJSON file's TIMESTAMPTZ column in: half-hour offsets
// that change with daylight saving time (-03:30 and -02:30).
export const NDJSON_TIME_ZONE = 'America/St_Johns';

// Every value is a function of the row number through hash(i, salt): the same file every time (for
// one DuckDB version, which the cache marker records).
//
// format 'csv' (the shared table, GEN_VERSION): ts always has a fraction (microseconds, never zero).
// format 'json' (NDJSON_GEN_VERSION): the same rows, but 1 in 8 ts values falls on a whole second
// (DuckDB then writes no fraction at all; the others have 1-6 digits, trailing zeros dropped), and a
// TIMESTAMPTZ column `tstz` (2% NULL) with whole seconds, milliseconds or microseconds, written by
// DuckDB in NDJSON_TIME_ZONE, so with offsets. The caller sets that time zone for the COPY.
export function generateSql(rows, file, format = 'csv') {
  const json = format === 'json';
  const text = commentSource();
  const T = text.length;
  const h = (salt) => `hash(i, '${salt}')`;
  const tsFraction = json
    ? `CASE WHEN ${h('whole')} % 8 = 0 THEN 0 ELSE 1 + (${h('us')} % 999999)::BIGINT END`
    : `1 + (${h('us')} % 999999)::BIGINT`;
  const tstz = json
    ? `
    CASE WHEN ${h('tznull')} % 50 = 0 THEN NULL ELSE
      TIMESTAMPTZ '2000-01-01 00:00:00+00' + to_microseconds(
        (${h('tzsec')} % 946080000)::BIGINT * 1000000 +
        CASE ${h('tzform')} % 3 WHEN 0 THEN 0
                                WHEN 1 THEN (${h('tzfrac')} % 1000)::BIGINT * 1000
                                ELSE (${h('tzfrac')} % 1000000)::BIGINT END)
    END                                                            AS tstz,`
    : '';
  const to = json ? `(FORMAT json)` : `(FORMAT csv, HEADER true, DELIMITER ',')`;
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
        (${h('sec')} % 315360000)::BIGINT * 1000000 + ${tsFraction}) AS ts,${tstz}
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
) TO '${file}' ${to};`;
}

// ---- DuckDB -------------------------------------------------------------------------------------

// An in-memory DuckDB with q(sql) → rows as JSON-able objects. Local files are read like sluice
// reads them: from the page cache, every time (no external file cache).
export async function openDuck() {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const version = (await q('SELECT version() AS v'))[0].v;
  try { await q('SET enable_external_file_cache = false'); } catch { /* older DuckDB: no such cache */ }
  return { inst, con, q, version };
}

// ---- cached data files --------------------------------------------------------------------------

export function readMarker(file) {
  try {
    return JSON.parse(fs.readFileSync(file + '.ok.json', 'utf8'));
  } catch {
    return null;
  }
}

export function writeMarker(file, info) {
  fs.writeFileSync(file + '.ok.json', JSON.stringify(info, null, 2) + '\n');
}

export function cachedOk(file, want) {
  const m = readMarker(file);
  if (!m || !fs.existsSync(file)) return false;
  for (const [k, v] of Object.entries(want)) if (m[k] !== v) return false;
  return fs.statSync(file).size === m.bytes;
}

// The file as `want` describes it (rows, generator version, DuckDB version...), made by `make()` when
// the cached one is missing or was made differently; the marker is written last.
export async function ensureFile(file, want, make) {
  if (cachedOk(file, want)) {
    console.log(`using cached ${file}`);
    return;
  }
  console.log(`generating ${want.rows} rows into ${file} ...`);
  const t0 = performance.now();
  try { fs.unlinkSync(file + '.ok.json'); } catch { /* none */ }
  await make();
  writeMarker(file, { ...want, bytes: fs.statSync(file).size });
  console.log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// The shared table as CSV, cached in workDir (csv_compare_<rows>.csv, shared by the scripts).
export async function ensureCsv(q, duckVersion, workDir, rows) {
  const file = path.join(workDir, `csv_compare_${rows}.csv`);
  await ensureFile(file, { rows, gen: GEN_VERSION, duckdb: duckVersion }, () => q(generateSql(rows, file)));
  return file;
}

// Reads the whole file so that the timed run finds it in the page cache (these machines evict idle
// pages after ~30 s; without this the disk is measured).
const WARM_BUF = Buffer.allocUnsafe(16 << 20);
export function warm(file) {
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, WARM_BUF, 0, WARM_BUF.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

// Before a timed write (not timed): the previous repetition's output is removed and every dirty page
// written back, for both engines alike. Otherwise a write pays for what came before it: replacing a
// 731 MB file drops its pages inside rename() or O_TRUNC (0.1-0.2 s), and once a few GB are dirty
// the kernel throttles every writer to the disk's speed (medians 2-3x the best at 4M rows).
export function settleOutput(file) {
  fs.rmSync(file, { force: true });
  spawnSync('sync', { stdio: 'ignore' });
}

// ---- formatting ---------------------------------------------------------------------------------

export const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
export const mib = (kib) => (kib ? `${(kib / 1024).toFixed(1)} MiB` : '-');
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Prints rows of cells (strings) under a header; the first `left` columns are left-aligned.
export function printTable(head, cells, left = 2) {
  const table = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [ri, r] of table.entries()) {
    console.log(r.map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    if (ri === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export const machine = () =>
  ({ cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1) });

// ---- programs with peak RSS ---------------------------------------------------------------------

// GNU time if it works here (-f and -o are GNU's; BSD and busybox variants differ), else polling.
export function chooseRssMethod(want, die) {
  const probe = path.join(os.tmpdir(), `sluice_bench_probe_${process.pid}.txt`);
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
export async function busyShare(ms) {
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

// Prints a warning when the machine was busy over the last second; returns the share (or null).
export async function warnIfBusy() {
  const busy = await busyShare(1000);
  if (busy !== null && busy > 0.2)
    console.log(`WARNING: the machine was ${(busy * 100).toFixed(0)}% busy over the last second before timing; ` +
      'other work will skew the figures');
  return busy;
}

function readHwmKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;  // gone already
  }
}

// What two threads could reach on this machine at most: `run(k)` (one 1-thread process, resolving to
// its seconds) twice at once (k = 0, 1), after `before()`, `reps` times; the best of the slower of each
// pair. Two processes share nothing but the machine, so 2 × one alone / this bounds a 2-thread
// speedup from above.
export async function twoAtOnce(reps, before, run) {
  const times = [];
  for (let rep = 0; rep < reps; ++rep) {
    before();
    times.push(Math.max(...await Promise.all([run(0), run(1)])));
  }
  return Math.min(...times);
}

// Runs `program args...`; resolves {seconds, stdout, stderr, rssKiB}, rejects on a non-zero exit.
// Peak RSS comes from GNU time's %M (the kernel's ru_maxrss for the child, exact), or else from
// polling /proc/PID/status VmHWM every 20 ms (a high-water mark, so only growth in the last 20 ms
// before exit can be missed). The time is the whole process, from spawn to exit.
export function runProgram(program, rssMethod, args, name = path.basename(program)) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `sluice_bench_rss_${process.pid}.txt`);
    const [cmd, argv] = rssMethod === 'time'
      ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, program, ...args]]
      : [program, args];
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
        const e = new Error(`${name} ${args.join(' ')} failed (exit ${code ?? signal}):\n${err.trim()}`);
        e.exitCode = code;
        e.stderr = err;
        reject(e);
        return;
      }
      resolve({ seconds, stdout: out, stderr: err, rssKiB });
    });
  });
}

// `sluice args...` with opts.sluice as the binary.
export const runSluice = (opts, rssMethod, args) => runProgram(opts.sluice, rssMethod, args, 'sluice');

// Writes a script's results as JSON and reports its checks: the failures (exit status 1) or `passed`.
export function finish(out, result, failures, passed) {
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults written to ${out}`);
  if (failures.length) {
    console.error('\nFAILED:');
    for (const f of failures) console.error(`  - ${f}`);
    process.exitCode = 1;
  } else {
    console.log(`checks passed: ${passed}`);
  }
}
