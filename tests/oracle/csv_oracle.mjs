#!/usr/bin/env node
// DuckDB as the independent oracle for sluice's CSV reader and writer.
//
// For each case DuckDB builds a table with exact column types, writes it as CSV (COPY ... TO) in
// some dialect, `sluice convert` reads that file and writes CSV/TSV (in some output dialect), and
// DuckDB reads sluice's output back with the source table's column types. The two tables must hold
// the same multiset of rows: `src EXCEPT ALL out` and `out EXCEPT ALL src` both empty, compared
// both as typed values and as DuckDB's own text of each value (which tells -0.0 from 0.0).
//
// usage: node tests/oracle/csv_oracle.mjs path/to/sluice
// exit: 0 all cases agree, 1 any case failed, 2 usage, 77 skipped (DuckDB not importable)

import { spawnSync } from 'node:child_process';
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
if (!sluice) {
  console.error('usage: node csv_oracle.mjs path/to/sluice');
  process.exit(2);
}
if (!fs.existsSync(sluice)) {
  console.error(`sluice binary not found: ${sluice}`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-oracle-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// ---- SQL helpers -------------------------------------------------------------------------------

const sqlStr = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

// The sluice name of a DuckDB column type, for --types.
function sluiceType(t) {
  const m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (m) return `decimal(${m[1]},${m[2]})`;
  const map = {
    BOOLEAN: 'bool', TINYINT: 'int8', SMALLINT: 'int16', INTEGER: 'int32', BIGINT: 'int64',
    UTINYINT: 'uint8', USMALLINT: 'uint16', UINTEGER: 'uint32', UBIGINT: 'uint64',
    FLOAT: 'float32', DOUBLE: 'float64', DATE: 'date', TIME: 'time', TIMESTAMP: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz', VARCHAR: 'string',
  };
  if (!(t in map)) throw new Error(`no sluice type for DuckDB type ${t}`);
  return map[t];
}

// ---- The cases ---------------------------------------------------------------------------------

// A table with one column of every kind and awkward strings; most dialect cases use it.
const MIXED = {
  columns: [['id', 'INTEGER'], ['name', 'VARCHAR'], ['born', 'DATE'], ['amount', 'DOUBLE'], ['ok', 'BOOLEAN'],
            ['note', 'VARCHAR']],
  insert: `VALUES
    (1, 'plain', DATE '2024-01-02', 1.5, true, 'x'),
    (2, 'comma, semi; pipe| tab' || chr(9) || 'end', DATE '1999-12-31', -0.25, false, ''),
    (3, 'quote " double and '' single', NULL, 1e300, NULL, NULL),
    (4, 'line' || chr(10) || 'feed and crlf' || chr(13) || chr(10) || 'end', DATE '0001-01-01', NULL, true, '  padded  '),
    (5, NULL, DATE '9999-12-31', 0.0, false, 'NULL'),
    (6, '', DATE '2000-02-29', -1e-300, true, '😀 中文 Ünïcödé'),
    (7, 'it''s ''quoted''', DATE '1970-01-01', 42.0, false, '"starts and ends"'),
    (8, '\\back\\slash\\', DATE '2024-06-30', 3.5, NULL, 'last')`,
};

// Output dialects: how sluice writes, and how DuckDB must read that back.
const OUT_CSV = { file: 'out.csv', args: [], read: { delim: ',', quote: '"' } };
const OUT_TSV = { file: 'out.tsv', args: [], read: { delim: '\t', quote: '"' } };
const OUT_VARIANTS = [
  { file: 'semi_all_crlf.csv', args: ['--out-delimiter', ';', '--quoting', 'all', '--line-ending', 'crlf'],
    read: { delim: ';', quote: '"' } },
  { file: 'pipe_squote.csv', args: ['--out-delimiter', '|', '--out-quote', "'"], read: { delim: '|', quote: "'" } },
  { file: 'nonnumeric.csv', args: ['--quoting', 'nonnumeric'], read: { delim: ',', quote: '"' } },
  { file: 'noheader.csv', args: ['--no-out-header'], read: { delim: ',', quote: '"', header: false } },
  { file: 'nullword.csv', args: ['--out-null', 'NULL'], read: { delim: ',', quote: '"', nullstr: 'NULL' } },
  { file: 'tsv_from_flag.txt', args: ['--to', 'tsv'], read: { delim: '\t', quote: '"' } },
];

const cases = [
  {
    name: 'integers',
    columns: [['i8', 'TINYINT'], ['i16', 'SMALLINT'], ['i32', 'INTEGER'], ['i64', 'BIGINT'], ['u8', 'UTINYINT'],
              ['u16', 'USMALLINT'], ['u32', 'UINTEGER'], ['u64', 'UBIGINT']],
    insert: `VALUES
      (-128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0),
      (127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615),
      (0, 0, 0, 0, 1, 1, 1, 9223372036854775808),
      (-1, -1, -1, -1, 7, 7, 7, 7),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (NULL, 5, NULL, 5, NULL, 5, NULL, 5)`,
    // Beyond int64 the text cannot be inferred as an integer (it would be a lossy float64).
    sluiceArgs: ['--types', 'u64=uint64'],
  },
  { name: 'integers_declared', like: 'integers', declareAll: true, sluiceArgs: [] },
  {
    name: 'floats',
    columns: [['d', 'DOUBLE'], ['f', 'FLOAT']],
    insert: `VALUES
      (0.0, 0.0), ('-0.0'::DOUBLE, '-0.0'::FLOAT), (1e308, 3.4028235e38), (-1.7976931348623157e308, -3.4028235e38),
      (5e-324, 1.4e-45), (2.2250738585072014e-308, 1.17549435e-38), (0.1, 0.1), (1.0/3, 1.0/3),
      (3.141592653589793, 3.1415927), (123456789012345680000.0, 16777217.0), (1e-300, 1e-30), (-2.5, -2.5),
      ('nan'::DOUBLE, 'nan'::FLOAT), ('inf'::DOUBLE, 'inf'::FLOAT), ('-inf'::DOUBLE, '-inf'::FLOAT),
      (NULL, NULL), (9007199254740993.0, 0.3)`,
  },
  { name: 'floats_declared', like: 'floats', declareAll: true },
  {
    name: 'decimal_inferred',
    // At most 15 significant digits: exact through float64, which is what sluice infers.
    columns: [['k', 'INTEGER'], ['d', 'DECIMAL(18,3)']],
    insert: `VALUES (1, 0.000), (2, -0.001), (3, 123.450), (4, 999999999999.999), (5, NULL), (6, -42.100)`,
  },
  {
    name: 'decimal_declared',
    // 18 significant digits need the declared decimal type.
    columns: [['k', 'INTEGER'], ['d', 'DECIMAL(18,3)']],
    insert: `VALUES (1, 999999999999999.999), (2, -999999999999999.999), (3, 0.001), (4, NULL), (5, 123456789012345.678)`,
    declareAll: true,
  },
  {
    name: 'temporal',
    columns: [['d', 'DATE'], ['ts', 'TIMESTAMP'], ['tstz', 'TIMESTAMP WITH TIME ZONE'], ['t', 'TIME']],
    insert: `VALUES
      (DATE '0001-01-01', TIMESTAMP '0001-01-01 00:00:00', TIMESTAMPTZ '0001-01-01 00:00:00+00', TIME '00:00:00'),
      (DATE '9999-12-31', TIMESTAMP '9999-12-31 23:59:59.999999', TIMESTAMPTZ '9999-12-31 23:59:59.999999+00', TIME '23:59:59.999999'),
      (DATE '1970-01-01', TIMESTAMP '2024-01-02 03:04:05.123456', TIMESTAMPTZ '2024-01-02 03:04:05.123456+05:30', TIME '12:34:56.789'),
      (DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '1969-12-31 23:59:59.999999-08', TIME '00:00:00.000001'),
      (DATE '2024-02-29', TIMESTAMP '2024-02-29 12:00:00', TIMESTAMPTZ '2024-02-29 12:00:00.5+00', TIME '13:00:00'),
      (NULL, NULL, NULL, NULL),
      (DATE '1600-03-01', TIMESTAMP '1600-02-29 23:59:59.000001', TIMESTAMPTZ '2038-01-19 03:14:08-01', NULL)`,
  },
  { name: 'temporal_declared', like: 'temporal', declareAll: true },
  {
    name: 'strings',
    columns: [['id', 'INTEGER'], ['s', 'VARCHAR'], ['e', 'VARCHAR']],
    insert: `VALUES
      (1, 'plain', ''), (2, 'comma, inside', NULL), (3, 'quote "inside"', ''), (4, 'both, "x"', NULL),
      (5, 'line1' || chr(10) || 'line2', 'a'), (6, 'crlf' || chr(13) || chr(10) || 'line', NULL),
      (7, 'cr only' || chr(13) || 'x', ''), (8, 'emoji 😀🎉👍🏽', 'b'), (9, 'CJK 中文字符 日本語 한국어', NULL),
      (10, '  leading', ''), (11, 'trailing  ', ''), (12, '   ', NULL), (13, '', ''), (14, NULL, NULL),
      (15, 'tab' || chr(9) || 'here', 'c'), (16, 'NULL', 'null'), (17, 'apostrophe''s', ''),
      (18, 'ends with quote"', NULL), (19, '"starts with quote', ''), (20, 'café ñ ß Ω', 'd'),
      (21, repeat('long,"x"' || chr(10), 2000), ''), (22, '"', '""'), (23, ',', ',,'), (24, '123', '0042'),
      (25, 'true', '2024-01-01')`,
  },
  {
    name: 'booleans_and_all_null_columns',
    columns: [['b', 'BOOLEAN'], ['n_int', 'INTEGER'], ['n_str', 'VARCHAR'], ['n_date', 'DATE'], ['k', 'BIGINT']],
    insert: `VALUES (true, NULL, NULL, NULL, 1), (false, NULL, NULL, NULL, 2), (NULL, NULL, NULL, NULL, 3),
                    (true, NULL, NULL, NULL, NULL)`,
  },
  {
    name: 'nulls_everywhere',
    columns: [['b', 'BOOLEAN'], ['i', 'INTEGER'], ['u', 'UBIGINT'], ['d', 'DOUBLE'], ['m', 'DECIMAL(18,3)'],
              ['dt', 'DATE'], ['ts', 'TIMESTAMP'], ['tz', 'TIMESTAMP WITH TIME ZONE'], ['t', 'TIME'], ['s', 'VARCHAR']],
    insert: `VALUES
      (true, 1, 1, 1.5, 1.250, DATE '2024-01-01', TIMESTAMP '2024-01-01 01:02:03', TIMESTAMPTZ '2024-01-01 01:02:03+00', TIME '01:02:03', 'a'),
      (NULL, 2, 2, 2.5, 2.500, DATE '2024-01-02', TIMESTAMP '2024-01-02 01:02:03', TIMESTAMPTZ '2024-01-02 01:02:03+00', TIME '01:02:04', 'b'),
      (false, NULL, 3, 3.5, 3.750, DATE '2024-01-03', TIMESTAMP '2024-01-03 01:02:03', TIMESTAMPTZ '2024-01-03 01:02:03+00', TIME '01:02:05', 'c'),
      (true, 4, NULL, 4.5, 4.000, DATE '2024-01-04', TIMESTAMP '2024-01-04 01:02:03', TIMESTAMPTZ '2024-01-04 01:02:03+00', TIME '01:02:06', 'd'),
      (false, 5, 5, NULL, 5.125, DATE '2024-01-05', TIMESTAMP '2024-01-05 01:02:03', TIMESTAMPTZ '2024-01-05 01:02:03+00', TIME '01:02:07', 'e'),
      (true, 6, 6, 6.5, NULL, DATE '2024-01-06', TIMESTAMP '2024-01-06 01:02:03', TIMESTAMPTZ '2024-01-06 01:02:03+00', TIME '01:02:08', 'f'),
      (false, 7, 7, 7.5, 7.875, NULL, TIMESTAMP '2024-01-07 01:02:03', TIMESTAMPTZ '2024-01-07 01:02:03+00', TIME '01:02:09', 'g'),
      (true, 8, 8, 8.5, 8.000, DATE '2024-01-08', NULL, TIMESTAMPTZ '2024-01-08 01:02:03+00', TIME '01:02:10', 'h'),
      (false, 9, 9, 9.5, 9.999, DATE '2024-01-09', TIMESTAMP '2024-01-09 01:02:03', NULL, TIME '01:02:11', 'i'),
      (true, 10, 10, 10.5, 10.001, DATE '2024-01-10', TIMESTAMP '2024-01-10 01:02:03', TIMESTAMPTZ '2024-01-10 01:02:03+00', NULL, 'j'),
      (false, 11, 11, 11.5, 11.100, DATE '2024-01-11', TIMESTAMP '2024-01-11 01:02:03', TIMESTAMPTZ '2024-01-11 01:02:03+00', TIME '01:02:13', NULL),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  },
  // One column: DuckDB writes a null as an empty line, and reads one back as a null (so must sluice:
  // before, those rows were skipped as blank lines); its last row a null too.
  {
    name: 'one_column_with_nulls',
    columns: [['v', 'INTEGER']],
    insert: `VALUES (1), (NULL), (3), (NULL), (NULL), (6), (NULL)`,
  },
  {
    name: 'one_string_column_with_nulls',
    columns: [['s', 'VARCHAR']],
    insert: `VALUES (NULL), ('a'), (''), (NULL), ('b c')`,
  },
  // Dialects of the input. Sluice sniffs delimiter, quote and header; only an escape character that
  // differs from the quote cannot be sniffed and is given.
  { name: 'mixed_comma', ...MIXED, outputs: [OUT_CSV, OUT_TSV, ...OUT_VARIANTS] },
  { name: 'mixed_semicolon', ...MIXED, copy: `DELIMITER ';'` },
  { name: 'mixed_pipe', ...MIXED, copy: `DELIMITER '|'` },
  { name: 'mixed_tab', ...MIXED, copy: `DELIMITER '\t'`, input: 'in.tsv' },
  { name: 'mixed_tab_sniffed', ...MIXED, copy: `DELIMITER '\t'` },
  { name: 'mixed_single_quote', ...MIXED, copy: `QUOTE '''', ESCAPE ''''` },
  { name: 'mixed_single_quote_dq_escape', ...MIXED, copy: `QUOTE ''''`, sluiceArgs: ['--escape', '"'] },
  { name: 'mixed_single_quote_dq_escape_given', ...MIXED, copy: `QUOTE ''''`,
    sluiceArgs: ['--quote', "'", '--escape', '"'] },
  // DuckDB leaves a backslash in an unquoted field as it is (the escape only means something inside
  // quotes); the second case has backslashes only in fields that are quoted anyway.
  { name: 'mixed_backslash_escape', ...MIXED, copy: `ESCAPE '\\'`, sluiceArgs: ['--escape', '\\'] },
  {
    name: 'backslash_escape_in_quotes',
    columns: [['id', 'INTEGER'], ['s', 'VARCHAR']],
    insert: `VALUES (1, 'say "hi", \\ ok'), (2, 'a,\\b'), (3, 'plain'), (4, NULL), (5, ''), (6, '"\\"')`,
    copy: `ESCAPE '\\'`,
    sluiceArgs: ['--escape', '\\'],
  },
  { name: 'mixed_no_header', ...MIXED, copy: `HEADER false`, noHeader: true },
  { name: 'mixed_crlf', ...MIXED, copy: `NEW_LINE '\\r\\n'` },
  { name: 'mixed_crlf_semicolon_no_header', ...MIXED, copy: `NEW_LINE '\\r\\n', DELIMITER ';', HEADER false`,
    noHeader: true },
  // Many chunks: quoted line ends across block boundaries, several parse threads.
  {
    name: 'many_blocks_threads',
    columns: [['i', 'BIGINT'], ['s', 'VARCHAR'], ['d', 'DOUBLE'], ['dt', 'DATE'], ['ts', 'TIMESTAMP']],
    insertSelect: `SELECT i,
        CASE WHEN i % 7 = 0 THEN 'multi' || chr(10) || 'line "' || i || '"'
             WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN '' ELSE 'v,' || i END,
        CASE WHEN i % 17 = 0 THEN NULL ELSE i / 8.0 END,
        DATE '2000-01-01' + (i % 10000)::INTEGER,
        TIMESTAMP '2000-01-01 00:00:00' + to_microseconds(i * 1234567)
      FROM range(200000) r(i)`,
    sluiceArgs: ['--threads', '2', '--block-size', '64KiB'],
    compareThreads: true,
  },
  // The same with CRLF line ends: a block may end between the CR and the LF of one line end.
  { name: 'many_blocks_crlf', like: 'many_blocks_threads', copy: `NEW_LINE '\\r\\n'`,
    sluiceArgs: ['--threads', '2', '--block-size', '4KiB'] },
  // Types widened after the inference sample, in a later chunk: int → string and int → float.
  {
    name: 'widening_after_sample',
    columns: [['k', 'BIGINT'], ['w_str', 'VARCHAR'], ['w_dbl', 'VARCHAR']],
    insertSelect: `SELECT i,
        CASE WHEN i = 60000 THEN 'not a number' ELSE CAST(i AS VARCHAR) END,
        CASE WHEN i = 70000 THEN '2.5' ELSE CAST(i - 35000 AS VARCHAR) END
      FROM range(80000) r(i)`,
    sluiceArgs: ['--infer-rows', '100', '--block-size', '64KiB', '--threads', '2'],
    compareThreads: true,
    // w_dbl becomes a double column after the sample: sluice writes its values as DuckDB writes a
    // DOUBLE ("34765.0"), so the output is read, and the source compared, as DOUBLE there.
    readColumns: [['k', 'BIGINT'], ['w_str', 'VARCHAR'], ['w_dbl', 'DOUBLE']],
  },
];

// ---- Running -----------------------------------------------------------------------------------

const instance = await duckdb.DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

function runSluice(args) {
  const r = spawnSync(sluice, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

let failures = 0;
const fail = (name, what) => {
  failures += 1;
  console.log(`FAIL ${name}: ${what}`);
};

function readCsvSql(file, cols, r) {
  const colSpec = `{${cols.map(([n, t]) => `${sqlStr(n)}: ${sqlStr(t)}`).join(', ')}}`;
  const opts = [
    `columns=${colSpec}`,
    `header=${r.header === false ? 'false' : 'true'}`,
    `delim=${sqlStr(r.delim)}`,
    `quote=${sqlStr(r.quote)}`,
    `escape=${sqlStr(r.quote)}`,
    `nullstr=${sqlStr(r.nullstr ?? '')}`,
    'allow_quoted_nulls=false',
    'auto_detect=false',
  ];
  return `read_csv(${sqlStr(file)}, ${opts.join(', ')})`;
}

// Compares table `a` with table `b` (same column order): row counts and EXCEPT ALL both ways, typed
// and as text. Returns a list of problems (empty when equal).
async function compareTables(a, b, cols) {
  const problems = [];
  const [{ n: na }] = await q(`SELECT count(*)::BIGINT AS n FROM ${a}`);
  const [{ n: nb }] = await q(`SELECT count(*)::BIGINT AS n FROM ${b}`);
  if (String(na) !== String(nb)) problems.push(`row counts differ: source ${na}, sluice output ${nb}`);
  const asText = (t) => `SELECT ${cols.map(([n]) => `CAST(${ident(n)} AS VARCHAR) AS ${ident(n)}`).join(', ')} FROM ${t}`;
  const checks = [
    ['typed, in source but not in output', `SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}`],
    ['typed, in output but not in source', `SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a}`],
    ['as text, in source but not in output', `${asText(a)} EXCEPT ALL ${asText(b)}`],
    ['as text, in output but not in source', `${asText(b)} EXCEPT ALL ${asText(a)}`],
  ];
  for (const [label, sql] of checks) {
    const [{ n }] = await q(`SELECT count(*)::BIGINT AS n FROM (${sql})`);
    if (String(n) !== '0') {
      const sample = await q(`SELECT * FROM (${sql}) LIMIT 5`);
      problems.push(`${n} row(s) ${label}, e.g.\n      ${sample.map((r) => JSON.stringify(r)).join('\n      ')}`);
      if (label.startsWith('typed')) break;  // the text checks would say the same again
    }
  }
  return problems;
}

function firstLine(file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = /\r?\n/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

const byName = Object.fromEntries(cases.map((c) => [c.name, c]));

for (const c0 of cases) {
  const c = c0.like ? { ...byName[c0.like], ...c0 } : c0;
  const dir = path.join(tmp, c.name);
  fs.mkdirSync(dir);
  const src = `src_${c.name}`;
  const input = path.join(dir, c.input ?? 'in.csv');
  let caseFailed = false;
  const problem = (what) => {
    caseFailed = true;
    fail(c.name, what);
  };
  try {
    await con.run(`CREATE TABLE ${src} (${c.columns.map(([n, t]) => `${ident(n)} ${t}`).join(', ')})`);
    await con.run(`INSERT INTO ${src} ${c.insertSelect ?? c.insert}`);
    await con.run(`COPY ${src} TO ${sqlStr(input)} (FORMAT csv${c.copy ? `, ${c.copy}` : ''})`);
  } catch (e) {
    problem(`DuckDB could not build the case: ${e.message}`);
    continue;
  }

  const args = [...(c.sluiceArgs ?? [])];
  if (c.declareAll) args.push('--types', c.columns.map(([n, t]) => `${n}=${sluiceType(t)}`).join(','));

  // The types the output is read with (the source's, unless the case says otherwise), and the source
  // cast to them for the comparison.
  const readCols = c.readColumns ?? c.columns;
  const srcCmp = c.readColumns
    ? `(SELECT ${readCols.map(([n, t]) => `CAST(${ident(n)} AS ${t}) AS ${ident(n)}`).join(', ')} FROM ${src})`
    : src;
  const outputs = c.outputs ?? [OUT_CSV, OUT_TSV];
  const outFiles = {};
  for (const out of outputs) {
    const outPath = path.join(dir, out.file);
    const argv = ['convert', input, outPath, ...args, ...out.args];
    const r = runSluice(argv);
    const label = `${path.basename(input)} -> ${out.file}`;
    if (r.status !== 0) {
      const how = r.error ? `could not run (${r.error.message})` : `exited ${r.status ?? r.signal}`;
      problem(`${label}: sluice ${argv.slice(3).join(' ')} ${how}: ${r.stderr.trim()}`);
      continue;
    }
    outFiles[out.file] = outPath;
    if (out.read.header !== false) {
      const quoted = out.args.includes('all') || out.args.includes('nonnumeric');
      const want = c.columns
        .map(([n], i) => (c.noHeader ? `column${i}` : n))
        .map((n) => (quoted ? `${out.read.quote}${n}${out.read.quote}` : n))
        .join(out.read.delim);
      const got = firstLine(outPath);
      if (got !== want) problem(`${label}: header line is ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
    const tbl = `out_${c.name}_${out.file.replace(/\W/g, '_')}`;
    try {
      await con.run(`CREATE TABLE ${tbl} AS SELECT * FROM ${readCsvSql(outPath, readCols, out.read)}`);
    } catch (e) {
      const head = fs.readFileSync(outPath, 'utf8').split('\n').slice(0, 6).join('\n      ');
      problem(`${label}: DuckDB cannot read sluice's output: ${e.message.split('\n')[0]}\n      ${head}`);
      continue;
    }
    try {
      for (const p of await compareTables(srcCmp, tbl, readCols)) problem(`${label}: ${p}`);
    } catch (e) {
      problem(`${label}: DuckDB failed comparing: ${e.message.split('\n')[0]}`);
    }
  }

  // The output must not depend on the number of parse threads.
  if (c.compareThreads && outFiles['out.csv']) {
    const one = path.join(dir, 'threads1.csv');
    const argv = ['convert', input, one, ...args.filter((a, i, all) => a !== '--threads' && all[i - 1] !== '--threads'),
                  '--threads', '1'];
    const r = runSluice(argv);
    if (r.status !== 0) problem(`--threads 1: exited ${r.status}: ${r.stderr.trim()}`);
    else if (!fs.readFileSync(one).equals(fs.readFileSync(outFiles['out.csv'])))
      problem('--threads 1 and --threads 2 give different bytes');
  }
  console.log(`${caseFailed ? 'FAIL' : 'PASS'} ${c.name}`);
}

// Hand-written files whose columns mix forms: sluice's inferred types are the ones DuckDB's sniffer
// picks, and the values read are DuckDB's (sluice's Parquet output against DuckDB's read_csv). The
// first value of each column is the widest form: DuckDB's sniffer settles on the first value's format,
// so a date first and a time later is VARCHAR there (sluice: a timestamp, whatever the order).
const SNIFFED = [
  {
    name: 'sniffed_times_with_and_without_offsets',
    text: 'a,c\n2024-01-02 03:04:05,2024-01-02T03:04:05+01:00\n2024-03-04T05:06:07Z,2024-02-03\n' +
          ',2024-05-06 07:08:09.5\n2024-05-06,\n',
  },
  { name: 'sniffed_dates_and_times', text: 'a,b\n2024-01-03 04:05:06,1\n2024-01-02,2.5\n2024-01-04,\n' },
];
const PRINTED = {
  BIGINT: 'int64', DOUBLE: 'float64', DATE: 'date32', TIMESTAMP: 'timestamp[us]', BOOLEAN: 'bool',
  'TIMESTAMP WITH TIME ZONE': 'timestamp[us, tz=UTC]', VARCHAR: 'string',
};
for (const c of SNIFFED) {
  const dir = path.join(tmp, c.name);
  fs.mkdirSync(dir);
  const input = path.join(dir, 'in.csv');
  fs.writeFileSync(input, c.text);
  const duck = (await q(`DESCRIBE SELECT * FROM read_csv(${sqlStr(input)})`)).map((r) => `${r.column_name}: ${PRINTED[r.column_type] ?? r.column_type}`);
  const sch = runSluice(['schema', input]);
  const ours = sch.stdout.trim().split('\n').filter((l) => /^\S+: /.test(l));
  const before = failures;
  if (sch.status !== 0) fail(c.name, `sluice schema exited ${sch.status}: ${sch.stderr.trim()}`);
  else if (ours.join(', ') !== duck.join(', ')) fail(c.name, `sluice infers ${ours.join(', ')}; DuckDB ${duck.join(', ')}`);
  else {
    const out = path.join(dir, 'out.parquet');
    const conv = runSluice(['convert', input, out]);
    if (conv.status !== 0) fail(c.name, `sluice convert exited ${conv.status}: ${conv.stderr.trim()}`);
    else {
      const cols = duck.map((l) => [l.slice(0, l.indexOf(':'))]);
      for (const p of await compareTables(`read_csv(${sqlStr(input)})`, `read_parquet(${sqlStr(out)})`, cols)) fail(c.name, p);
    }
  }
  console.log(`${failures > before ? 'FAIL' : 'PASS'} ${c.name}`);
}

con.closeSync();
instance.closeSync();
console.log(failures ? `${failures} problem(s)` : 'all cases agree with DuckDB');
process.exit(failures ? 1 : 0);
