#!/usr/bin/env node
// Partitioned writes: the 4,000,000-row table written into 1,000 hive partitions by
// `sluice convert --partition-by` (under --max-memory) and by DuckDB's COPY ... (PARTITION_BY), in the
// same run: time and peak RSS of each, and sluice's peak RSS against the memory cap it was given.
//
//   flock /tmp/sluice-build.lock node bench/compare/partition_compare.mjs [options]
//
// The input is csv_compare's table with a column `part` = id % 1000 added (every batch touches every
// partition: the hardest order for a writer that caps its memory), as Parquet, cached in the work dir.
// Both sides read that file and write Parquet (snappy) and CSV; DuckDB runs in a node process of its
// own so that its RSS is measured like sluice's. Each output is read back by DuckDB
// (hive_partitioning) and must hold every row in the right partition. See README.md beside this file.
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO, makeDie, parseOptions, openDuck, ensureCsv, ensureFile, warm, fmt, mib, printTable, machine, warnIfBusy,
  runProgram, chooseRssMethod, finish,
} from './common.mjs';

const USAGE = `usage: node bench/compare/partition_compare.mjs [options]
  --rows N          rows of the table (default 4000000)
  --partitions N    distinct values of the partition column (default 1000)
  --work-dir DIR    where data and results go (default $SLUICE_BENCH_DIR or build/bench-data)
  --sluice PATH     the sluice binary (default build/tools/sluice/sluice)
  --max-memory SIZE sluice's --max-memory, the whole process's cap (default 512MiB)
  --formats LIST    parquet,csv (default both)
  --reps N          timed repetitions, best kept (default 2)
  --rss M           auto | time | proc (default auto)
  --out FILE        results as JSON (default WORK_DIR/partition_compare_<rows>.json)`;

const die = makeDie('partition_compare');
// --max-memory caps the whole process: the reader, the writers' fixed state and the allocator's slack
// are measured and the open files get the rest. The peak RSS must stay under it.

function parseArgs(argv) {
  const o = parseOptions(argv, {
    rows: 4_000_000,
    partitions: 1000,
    workDir: process.env.SLUICE_BENCH_DIR || path.join(REPO, 'build', 'bench-data'),
    sluice: path.join(REPO, 'build', 'tools', 'sluice', 'sluice'),
    maxMemory: '512MiB',
    formats: ['parquet', 'csv'],
    reps: 2,
    rss: 'auto',
    out: null,
  }, {
    '--rows': (g, o) => (o.rows = g.int('--rows')),
    '--partitions': (g, o) => (o.partitions = g.int('--partitions')),
    '--work-dir': (g, o) => (o.workDir = g.path()),
    '--sluice': (g, o) => (o.sluice = g.path()),
    '--max-memory': (g, o) => (o.maxMemory = g.str()),
    '--formats': (g, o) => (o.formats = g.str().split(',')),
    '--reps': (g, o) => (o.reps = Math.max(1, g.int('--reps'))),
    '--rss': (g, o) => (o.rss = g.str()),
    '--out': (g, o) => (o.out = g.path()),
  }, USAGE, die);
  if (!/^\d+MiB$/.test(o.maxMemory)) die('--max-memory wants NMiB', 2);
  if (o.formats.some((f) => !['parquet', 'csv'].includes(f))) die('--formats is parquet, csv or both', 2);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.sluice)) die(`no sluice at ${opts.sluice}`, 2);
  fs.mkdirSync(opts.workDir, { recursive: true });
  const rssMethod = chooseRssMethod(opts.rss, die);
  const duck = await openDuck();
  const csv = await ensureCsv(duck.q, duck.version, opts.workDir, opts.rows);
  const input = path.join(opts.workDir, `partition_input_${opts.rows}_${opts.partitions}.parquet`);
  await ensureFile(input, { rows: opts.rows, partitions: opts.partitions, duckdb: duck.version }, () =>
    duck.q(`COPY (SELECT *, (id % ${opts.partitions})::INTEGER AS part FROM read_csv('${csv}', header = true))
            TO '${input}' (FORMAT parquet)`));
  const capMiB = Number(opts.maxMemory.replace('MiB', ''));
  const failures = [];
  const results = { machine: machine(), duckdb: duck.version, rows: opts.rows, partitions: opts.partitions,
                    max_memory_mib: capMiB, runs: [] };
  const duckScript = (format, out) => `
    import { DuckDBInstance } from '@duckdb/node-api';
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run("SET threads = 2");
    await con.run("COPY (SELECT * FROM read_parquet('${input}')) TO '${out}' (FORMAT ${format}, PARTITION_BY (part))");`;
  const rows = [];
  for (const format of opts.formats) {
    const best = { sluice: null, duckdb: null };
    const runs = { sluice: [], duckdb: [] };
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const who of rep % 2 ? ['duckdb', 'sluice'] : ['sluice', 'duckdb']) {
        const out = path.join(opts.workDir, `partition_out_${who}_${format}`);
        fs.rmSync(out, { recursive: true, force: true });
        warm(input);
        await warnIfBusy();
        const r = who === 'sluice'
          ? await runProgram(opts.sluice, rssMethod, ['convert', input, out + '/', '--partition-by', 'part', '--to', format,
                                                      '--max-memory', opts.maxMemory, '--threads', '2'], 'sluice')
          : await runProgram(process.execPath, rssMethod, ['--input-type=module', '-e', duckScript(format, out)], 'duckdb');
        runs[who].push(r);
        if (!best[who] || r.seconds < best[who].seconds) best[who] = r;
        // Every row, in its partition.
        const glob = `${out}/**/*.${format}`;
        const reader = format === 'parquet' ? `read_parquet('${glob}', hive_partitioning = true)`
          : `read_csv('${glob}', hive_partitioning = true, header = true)`;
        const [c] = await duck.q(`SELECT count(*)::BIGINT AS n, count(DISTINCT part)::BIGINT AS p,
                                         sum(CASE WHEN id % ${opts.partitions} = part THEN 0 ELSE 1 END)::BIGINT AS wrong
                                  FROM ${reader}`);
        if (Number(c.n) !== opts.rows || Number(c.p) !== opts.partitions || Number(c.wrong) !== 0)
          failures.push(`${who} ${format}: ${c.n} rows in ${c.p} partitions, ${c.wrong} in the wrong one`);
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
    const s = best.sluice, d = best.duckdb;
    const maxRss = Math.max(...runs.sluice.map((r) => r.rssKiB));
    results.runs.push({ format, sluice: { seconds: s.seconds, rss_kib: s.rssKiB, max_rss_kib: maxRss },
                        duckdb: { seconds: d.seconds, rss_kib: d.rssKiB } });
    rows.push([format, fmt(s.seconds), mib(s.rssKiB), fmt(d.seconds), mib(d.rssKiB), fmt(d.seconds / s.seconds) + 'x',
               fmt(d.rssKiB / s.rssKiB, 1) + 'x']);
    for (const r of runs.sluice)
      if (r.rssKiB / 1024 > capMiB) failures.push(`sluice ${format}: peak RSS ${mib(r.rssKiB)} over the ${capMiB} MiB cap`);
  }
  console.log(`\n${opts.rows} rows into ${opts.partitions} partitions; sluice --max-memory ${opts.maxMemory}, both 2 threads\n`);
  printTable(['format', 'sluice s', 'sluice RSS', 'DuckDB s', 'DuckDB RSS', 'speed', 'memory'], rows);
  finish(opts.out ?? path.join(opts.workDir, `partition_compare_${opts.rows}.json`), results, failures,
         `every row in its partition; sluice's peak RSS under the cap in every run`);
}

main().catch((e) => die(e.stack || String(e), 1));
