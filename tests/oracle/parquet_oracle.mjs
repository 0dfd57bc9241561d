#!/usr/bin/env node
// DuckDB as the independent oracle for sluice's Parquet reader.
//
// Files: every .parquet of parquet-testing (../shared/testdata, or $SLUICE_TESTDATA_DIR) that DuckDB
// reads, and files DuckDB writes here with every type, nulls, nested lists/structs/maps, each
// compression codec, dictionary on and off, page v1 and v2, several row groups.
//
// For each file sluice converts it to NDJSON (`sluice convert F out.ndjson`) and DuckDB reads that
// back with the column types DuckDB itself gives the Parquet file; the two tables must hold the same
// multiset of rows (`EXCEPT ALL` both ways, and equal counts). Where NDJSON cannot carry a DuckDB type
// as DuckDB reads it back, the comparison says so per column: BLOB (sluice writes base64, compared
// with DuckDB's to_base64), NaN and infinities (sluice writes null: compared as null). A UUID needs no
// such care: sluice reads it as its uuid type and writes the canonical text, which DuckDB reads as UUID. Files where sluice and DuckDB knowingly
// disagree are listed in KNOWN with the reason; nothing is skipped silently.
//
// Rewritten: every file that agrees is also rewritten by sluice's writer (`sluice convert F out.parquet
// --threads 2`, the defaults otherwise), and DuckDB reads the rewritten file with the same rows as the
// original (EXCEPT ALL both ways) and the same column types, but for those in REWRITE_TYPE_CHANGES
// (compared after the cast given there, the change printed).
//
// usage: node tests/oracle/parquet_oracle.mjs path/to/sluice [testdata dir]
// exit: 0 all agree, 1 a disagreement or failure, 2 usage, 77 skipped (DuckDB not importable)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  console.error('usage: node parquet_oracle.mjs path/to/sluice [testdata dir]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const testdata = process.argv[3] ?? process.env.SLUICE_TESTDATA_DIR ?? path.resolve(here, '../../../shared/testdata');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-parquet-oracle-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// Files where the disagreement is DuckDB's, or a documented difference of interpretation.
const KNOWN = {
  'int96_from_spark.parquet':
    'DuckDB wraps the INT96 of year 290000 through nanoseconds; sluice reads microseconds as Spark wrote them ' +
    '(the value parquet-testing documents: 9089380393200000000)',
};
// Files DuckDB is not expected to read (sluice must still read them, checked by the C++ tests).
const LARGE = new Set(['large_string_map.brotli.parquet']);

const sqlStr = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

const instance = await duckdb.DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
// TIMESTAMP WITH TIME ZONE values are cast and rendered in UTC whatever the machine's zone.
await q("SET TimeZone = 'UTC'");

// ---- files DuckDB writes -----------------------------------------------------------------------

async function writeDuckFiles() {
  const dir = path.join(tmp, 'duck');
  fs.mkdirSync(dir);
  await q(`CREATE TABLE t AS SELECT
      i::INTEGER AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37 % 201 - 100)::TINYINT END AS i8,
      (i * 1009 % 60001 - 30000)::SMALLINT AS i16,
      CASE WHEN i % 5 = 0 THEN NULL ELSE ((hash(i) % 4294967296)::BIGINT - 2147483648)::INTEGER END AS i32,
      ((hash(i * 3) % 9223372036854775807)::BIGINT * (CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END)) AS i64,
      (i % 256)::UTINYINT AS u8, (i * 31 % 65536)::USMALLINT AS u16, (hash(i * 5) % 4294967296)::UINTEGER AS u32,
      hash(i * 7) AS u64,
      CASE WHEN i % 11 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f32,
      CASE WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN -0.0 ELSE i * 1.0001 - 500 END AS f64,
      (i % 3 = 0) AS b,
      CASE WHEN i % 9 = 0 THEN NULL ELSE 'str-' || (i * 7 % 1000)::VARCHAR || repeat('x', i % 5) END AS s,
      ('2000-01-01'::DATE + (i * 13 % 20000)::INTEGER) AS d,
      ('2001-02-03 04:05:06.789012'::TIMESTAMP + to_microseconds(i::BIGINT * 123456789)) AS ts,
      ('2001-02-03 04:05:06.789'::TIMESTAMP_MS + to_milliseconds(i::BIGINT * 1234)) AS ts_ms,
      ('2001-02-03 04:05:06'::TIMESTAMP_S + to_seconds(i::BIGINT)) AS ts_s,
      ('2001-02-03 04:05:06.123456789'::TIMESTAMP_NS) AS ts_ns,
      ('2001-02-03 04:05:06.789012+00'::TIMESTAMPTZ + to_microseconds(i::BIGINT * 1000003)) AS tstz,
      ('10:11:12.131415'::TIME + to_microseconds(i::BIGINT * 1000)) AS tm,
      (i * 123.678 - 300000)::DECIMAL(9,3) AS dec9, (i * -987654321.123)::DECIMAL(18,3) AS dec18,
      (i::HUGEINT * 1234567890123456789012345 * (CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END))::DECIMAL(38,2) AS dec38, (i % 1000 / 3)::DECIMAL(4,1) AS dec4,
      CASE WHEN i % 4 = 0 THEN NULL ELSE ('\\x' || printf('%02x', i % 256) || 'ff00')::BLOB END AS bl,
      CASE WHEN i % 6 = 0 THEN NULL ELSE range(i % 4)::INTEGER[] END AS li,
      CASE WHEN i % 8 = 0 THEN NULL ELSE [CASE WHEN i % 3 = 0 THEN NULL ELSE 'a' || i END, 'b'] END AS ls,
      [[i, i + 1], [], NULL, [i * 2]]::BIGINT[][] AS lli,
      CASE WHEN i % 10 = 0 THEN NULL ELSE {'x': i, 'y': CASE WHEN i % 3 = 0 THEN NULL ELSE 'y' || i END,
        'z': {'p': i % 2 = 0, 'q': [i, NULL]}} END AS st,
      CASE WHEN i % 12 = 0 THEN NULL ELSE MAP {('k' || (i % 3)): i, 'other': CASE WHEN i % 2 = 0 THEN NULL ELSE -i END} END AS mp,
      [{'a': i, 'b': [i::VARCHAR]}, NULL] AS lst,
      ('00000000-0000-0000-0000-' || printf('%012d', i))::UUID AS uu,
      ['A', 'B', 'C'][i % 3 + 1]::ENUM('A', 'B', 'C') AS en,
      CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN '"text ' || i || '"' WHEN 2 THEN '[1, 2.5, null]'
        ELSE '{"k": ' || i || ', "nested": {"l": [true, "x"]}}' END::JSON AS js,
      -- Parquet's INTERVAL (months, days, milliseconds): zero, hours past 24, fractions of a second.
      CASE WHEN i % 9 = 4 THEN NULL ELSE to_months(i % 30) + to_days(i * 7 % 400) +
        to_milliseconds((i::BIGINT * 7919) % 400000000) END AS iv,
      [to_days(i % 3), NULL] AS liv,
      -- GEOMETRY: DuckDB writes GeoParquet 1.0 by default ("geo" metadata over a plain BYTE_ARRAY).
      CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN 'POINT EMPTY'
        WHEN 2 THEN 'LINESTRING (' || i || ' 0, ' || (i / 8.0) || ' -1.5)'
        WHEN 3 THEN 'POLYGON ((0 0, ' || i || ' 0, ' || i || ' ' || i || ', 0 0))'
        ELSE 'POINT (' || (i * 0.25) || ' ' || (-i) || ')' END::GEOMETRY AS geo
    FROM range(0, 5000) r(i)`);
  const files = [];
  const variants = [
    ['snappy', 'COMPRESSION snappy'],
    ['zstd', 'COMPRESSION zstd'],
    ['gzip', 'COMPRESSION gzip'],
    ['lz4', 'COMPRESSION lz4_raw'],
    ['brotli', 'COMPRESSION brotli'],
    ['uncompressed', 'COMPRESSION uncompressed'],
    ['v2', 'COMPRESSION snappy, PARQUET_VERSION v2'],
    ['v2_zstd_small_groups', 'COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 700'],
    ['no_dictionary', 'COMPRESSION snappy, DICTIONARY_SIZE_LIMIT 1'],
    ['row_groups', 'COMPRESSION snappy, ROW_GROUP_SIZE 2048'],
    // The GEOMETRY logical type with the "geo" metadata, and alone.
    ['geoparquet_both', "COMPRESSION snappy, GEOPARQUET_VERSION 'BOTH'"],
    ['geoparquet_v2', "COMPRESSION snappy, GEOPARQUET_VERSION 'V2'"],
  ];
  for (const [name, opts] of variants) {
    const f = path.join(dir, `duck_${name}.parquet`);
    try {
      await q(`COPY t TO ${sqlStr(f)} (FORMAT parquet, ${opts})`);
      files.push(f);
    } catch (e) {
      console.log(`  note: DuckDB could not write ${name} (${e.message.split('\n')[0]})`);
    }
  }
  const empty = path.join(dir, 'duck_empty.parquet');
  await q(`COPY (SELECT * FROM t LIMIT 0) TO ${sqlStr(empty)} (FORMAT parquet)`);
  files.push(empty);
  return files;
}

// ---- comparison --------------------------------------------------------------------------------

const containsBlobLike = (t) => /\bBLOB\b|\bUUID\b|\bFLOAT\b|\bDOUBLE\b/.test(t);

// Per column: the expression over the Parquet file, the type DuckDB reads sluice's JSON with, and the
// expression over that.
function columnPlan(name, type) {
  const c = ident(name);
  if (type === 'BLOB') return { p: `to_base64(${c})`, jtype: 'VARCHAR', j: c, why: 'BLOB as base64' };
  // GEOMETRY / GEOGRAPHY: sluice writes their WKT, as DuckDB's ST_AsText prints them.
  if (/^(GEOMETRY|GEOGRAPHY)\b/.test(type)) return { p: `ST_AsText(${c})`, jtype: 'VARCHAR', j: c };
  // DuckDB's read_json parses a number into a DECIMAL through a double: compared as exact text.
  // DuckDB's read_json parses a number into a DECIMAL through a double: decimals are compared through
  // sluice's CSV instead (below), which DuckDB parses exactly.
  if (/^DECIMAL/.test(type)) return { p: c, jtype: null, j: c, decimal: true };
  // A map with keys other than strings is an array of {key, value} objects in sluice's NDJSON (a JSON
  // object only takes string keys): compared as DuckDB's entries of the map.
  const m = /^MAP\((\w+), (\w+)\)$/.exec(type);
  if (m && m[1] !== 'VARCHAR')
    return { p: `map_entries(${c})`, jtype: `STRUCT("key" ${m[1]}, "value" ${m[2]})[]`, j: c };
  if (/MAP\((?!VARCHAR)/.test(type) || /DECIMAL/.test(type) && /[\[{(]/.test(type.replace(/DECIMAL\(\d+,\d+\)/g, '')))
    return { p: c, jtype: null, j: c };
  // A UUID is sluice's uuid type (the Parquet UUID annotation), its text canonical: read back as UUID.
  // JSON: sluice's NDJSON embeds each value as JSON; DuckDB compares JSON as text, so both sides are
  // minified by json().
  if (type === 'JSON') return { p: `json(${c})`, jtype: 'JSON', j: `json(${c})`, why: 'JSON compared minified' };
  if (type === 'FLOAT' || type === 'DOUBLE')
    return { p: `CASE WHEN isnan(${c}) OR isinf(${c}) THEN NULL ELSE ${c} END`, jtype: type, j: c };
  if (containsBlobLike(type) && /[\[{(]/.test(type)) {
    // Nested with a BLOB, UUID or float inside: compared as DuckDB's JSON text of each side's value;
    // NaN inside nested floats is left to disagree (none in these files).
    return { p: `${c}::VARCHAR`, jtype: type.includes('BLOB') || type.includes('UUID') ? null : type, j: `${c}::VARCHAR` };
  }
  return { p: c, jtype: type, j: c };
}

async function compare(file) {
  const base = path.basename(file);
  let desc;
  try {
    desc = await q(`DESCRIBE SELECT * FROM read_parquet(${sqlStr(file)})`);
    // Every value decoded (a count alone reads no column).
    await q(`CREATE OR REPLACE TEMP TABLE probe AS SELECT * FROM read_parquet(${sqlStr(file)})`);
    await q('DROP TABLE probe');
  } catch (e) {
    return { status: 'duckdb-cannot', detail: e.message.split('\n')[0] };
  }
  const out = path.join(tmp, base + '.ndjson');
  const r = spawnSync(sluice, ['convert', file, out, '--threads', '2'], { encoding: 'utf8' });
  if (r.status !== 0) return { status: 'sluice-failed', detail: (r.stderr || '').trim() };
  const plans = desc.map((d) => ({ name: d.column_name, type: d.column_type, ...columnPlan(d.column_name, d.column_type) }));
  const skipped = plans.filter((p) => p.jtype === null);
  const used = plans.filter((p) => p.jtype !== null);
  if (used.length === 0 && !plans.some((p) => p.decimal)) return { status: 'nothing-comparable' };
  // Only decimals: the NDJSON side is checked for its row count alone.
  const cols = used.length ? '{' + used.map((p) => `${sqlStr(p.name)}: ${sqlStr(p.jtype)}`).join(', ') + '}' : null;
  const pick = (side) => (used.length ? used.map((p) => `${p[side]} AS ${ident(p.name)}`).join(', ') : '1 AS one');
  const P = `SELECT ${pick('p')} FROM read_parquet(${sqlStr(file)})`;
  const J = `SELECT ${pick('j')} FROM read_json(${sqlStr(out)}, ${cols ? `columns = ${cols}, ` : ''}format = 'newline_delimited')`;
  try {
    const [{ n: pn }] = await q(`SELECT count(*)::BIGINT AS n FROM (${P})`);
    const [{ n: jn }] = await q(`SELECT count(*)::BIGINT AS n FROM (${J})`);
    const [{ n: a }] = await q(`SELECT count(*)::BIGINT AS n FROM ((${P}) EXCEPT ALL (${J}))`);
    const [{ n: b }] = await q(`SELECT count(*)::BIGINT AS n FROM ((${J}) EXCEPT ALL (${P}))`);
    if (pn !== jn || a !== 0n || b !== 0n) {
      // Name the columns that differ, one at a time.
      const bad = [];
      for (const p of used) {
        const Pc = `SELECT row_number() OVER () AS rn, ${p.p} AS v FROM read_parquet(${sqlStr(file)})`;
        const Jc = `SELECT row_number() OVER () AS rn, ${p.j} AS v FROM read_json(${sqlStr(out)}, columns = ${cols}, format = 'newline_delimited')`;
        const [{ n }] = await q(`SELECT count(*)::BIGINT AS n FROM ((${Pc}) EXCEPT ALL (${Jc}))`);
        if (n !== 0n) {
          const ex = await q(`SELECT x.v::VARCHAR AS duck, y.v::VARCHAR AS sluice FROM (${Pc}) x JOIN (${Jc}) y USING (rn) WHERE x.v IS DISTINCT FROM y.v LIMIT 1`);
          bad.push(`${p.name} ${p.type}${ex.length ? ` (DuckDB ${ex[0].duck} vs sluice ${ex[0].sluice})` : ''}`);
        }
      }
      return { status: 'differs', detail: `rows ${pn} vs ${jn}, ${a}/${b} rows differ; columns: ${bad.join('; ')}` };
    }
    const decimals = plans.filter((p) => p.decimal);
    if (decimals.length) {
      const csv = path.join(tmp, base + '.csv');
      const names = decimals.map((p) => p.name).join(',');
      const rc = spawnSync(sluice, ['convert', file, csv, '--columns', names], { encoding: 'utf8' });
      if (rc.status !== 0) return { status: 'sluice-failed', detail: (rc.stderr || '').trim() };
      const types = '{' + decimals.map((p) => `${sqlStr(p.name)}: ${sqlStr(p.type)}`).join(', ') + '}';
      const Pd = `SELECT ${decimals.map((p) => ident(p.name)).join(', ')} FROM read_parquet(${sqlStr(file)})`;
      const Cd = `SELECT * FROM read_csv(${sqlStr(csv)}, header = true, auto_detect = false, columns = ${types})`;
      const [{ n: x }] = await q(`SELECT count(*)::BIGINT AS n FROM ((${Pd}) EXCEPT ALL (${Cd}))`);
      const [{ n: y }] = await q(`SELECT count(*)::BIGINT AS n FROM ((${Cd}) EXCEPT ALL (${Pd}))`);
      if (x !== 0n || y !== 0n) return { status: 'differs', detail: `decimal columns (${names}) through CSV: ${x}/${y} rows differ` };
    }
    const notCompared = skipped.filter((p) => !p.decimal);
    return { status: 'same', rows: pn, skipped: notCompared.map((p) => `${p.name} ${p.type}`), desc };
  } catch (e) {
    return { status: 'compare-failed', detail: e.message.split('\n')[0] };
  }
}

// ---- rewritten by sluice's writer ---------------------------------------------------------------

// Types sluice's columnar buffer does not carry as such, so its writer writes another annotation:
// the expression over the original's column that DuckDB compares with the rewritten one. None at
// present: GEOMETRY / GEOGRAPHY (with their CRS) and INTERVAL were the last, and are carried now.
// An entry is { from: /TYPE regex/, to: /TYPE regex/, expr: (c) => SQL or null, why: 'text' }.
const REWRITE_TYPE_CHANGES = [];

// Files whose legacy TIMESTAMP_MILLIS / TIMESTAMP_MICROS converted types (no logical type) sluice
// reads as UTC-adjusted, as the format's backward-compatibility rules say (and Arrow does), and so
// writes with isAdjustedToUTC = true; DuckDB reads the original's as a plain TIMESTAMP. The rewritten
// columns are compared after a cast back to the original's type (in UTC).
const REWRITE_LEGACY_UTC = new Set(['nested_structs.rust.parquet']);

// `src`: DuckDB's DESCRIBE of the original, as compare() read it.
async function compareRewrite(file, src) {
  const base = path.basename(file);
  const out = path.join(tmp, base + '.rewritten.parquet');
  const r = spawnSync(sluice, ['convert', file, out, '--threads', '2'], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, detail: `sluice convert failed: ${(r.stderr || '').trim()}` };
  try {
    const got = await q(`DESCRIBE SELECT * FROM read_parquet(${sqlStr(out)})`);
    if (src.length !== got.length || src.some((d, i) => d.column_name !== got[i].column_name))
      return { ok: false, detail: `columns ${src.map((d) => d.column_name)} became ${got.map((d) => d.column_name)}` };
    const s = [], o = [], changes = [];
    for (let i = 0; i < src.length; ++i) {
      const c = ident(src[i].column_name), from = src[i].column_type, to = got[i].column_type;
      if (from === to) {
        s.push(c);
        o.push(c);
        continue;
      }
      if (REWRITE_LEGACY_UTC.has(base) && from.replace(/\bTIMESTAMP\b/g, 'TIMESTAMP WITH TIME ZONE') === to) {
        changes.push(`${src[i].column_name}: legacy TIMESTAMP_MICROS / _MILLIS written as UTC-adjusted`);
        s.push(c);
        o.push(`CAST(${c} AS ${from}) AS ${c}`);
        continue;
      }
      const change = REWRITE_TYPE_CHANGES.find((t) => t.from.test(from) && t.to.test(to));
      if (!change) return { ok: false, detail: `column ${src[i].column_name} is ${from} in the original, ${to} rewritten` };
      changes.push(`${src[i].column_name} ${from.length > 40 ? from.slice(0, 40) + '...' : from}: ${change.why}`);
      if (change.expr) {
        s.push(`${change.expr(c)} AS ${c}`);
        o.push(c);
      }
    }
    const S = `SELECT ${s.length ? s.join(', ') : '1 AS one'} FROM read_parquet(${sqlStr(file)})`;
    const O = `SELECT ${o.length ? o.join(', ') : '1 AS one'} FROM read_parquet(${sqlStr(out)})`;
    const [{ sn, on, a, b }] = await q(`SELECT (SELECT count(*) FROM (${S}))::BIGINT AS sn, (SELECT count(*) FROM (${O}))::BIGINT AS on,
        (SELECT count(*) FROM ((${S}) EXCEPT ALL (${O})))::BIGINT AS a, (SELECT count(*) FROM ((${O}) EXCEPT ALL (${S})))::BIGINT AS b`);
    if (sn !== on || a !== 0n || b !== 0n) return { ok: false, detail: `rows ${sn} vs ${on}, ${a}/${b} rows differ` };
    return { ok: true, rows: on, changes };
  } catch (e) {
    return { ok: false, detail: `DuckDB: ${e.message.split('\n')[0]}` };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

// ---- main --------------------------------------------------------------------------------------

const files = [];
const corpus = path.join(testdata, 'parquet-testing', 'data');
if (fs.existsSync(corpus)) {
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet') && !LARGE.has(e.name) && e.name !== 'nation.dict-malformed.parquet') files.push(p);
    }
  };
  walk(corpus);
  files.sort();
} else {
  console.log(`note: no parquet-testing corpus at ${corpus}: only DuckDB's own files are compared`);
}
files.push(...(await writeDuckFiles()));

// --where: sluice's rows equal DuckDB's WHERE on the same text, and row groups the statistics rule out
// are skipped (the table's id rises with the rows; duck_row_groups has groups of 2048, 2048 and 904).
async function checkFilters(file) {
  const cases = [
    ['id >= 4500', 2], ['id < 1000', 2], ['id = 2500', 2], ['id in (10, 4999)', 1], ['id != 3', 0],
    ['i32 is null', 0], ['i8 is not null and i8 < 0', 0], ["s = 'str-7'", 0], ["s in ('str-7', 'str-14')", 0],
    ["s > 'str-9'", 0], ["d < '2010-01-01'", 0], ["ts >= '2003-01-01'", 0], ['dec9 > 0', 0], ['b = true', 0],
    ['u64 > 9000000000000000000', 0], ['f32 < 10', 0], ['f64 >= 0', 0], ["en = 'A'", 0], ['id > 4000 and u8 = 7', 1],
    ["tstz < '2001-02-05 00:00:00+00'", 0], ['id >= 5000', 3], ['li is null', 0], ['st.x > 4990', 0],
    // OR, NOT, BETWEEN, LIKE and parentheses, in SQL's three-valued logic (nulls in i8, i32, s, f64).
    ['id < 100 or id >= 4900', 1], ['not id < 4096', 2], ['id between 2100 and 2200', 2],
    ['id not between 0 and 4095', 2], ["s like 'str-7%'", 0], ["s not like '%1'", 0], ["s ilike 'STR-1_X'", 0],
    ["s like 'str-_0%x'", 0], ['not (i8 < 0 or i32 is null)', 0], ['(id < 10 or id > 4990) and b = true', 1],
    ['f64 >= 0 or f64 < 0', 0], ['not f64 >= 0', 0], ['10 > id', 2], ['id in (1, null)', 2],
    ['not id in (1, null)', 0], ['not (i8 = 5 and i32 > 0)', 0], ['i8 is null or not i8 != 3', 0],
    ["(s = 'str-7' or s like 'str-14%') and not (id > 2000 and id < 3000)", 0],
    // Two columns: integers exactly, other types in their common type.
    ['i8 < i16', 0], ['u64 > i64', 0], ['f32 > f64', 0], ['d < ts', 0], ['ts_ms >= ts', 0], ['dec9 > dec18', 0],
    ['dec9 > i32', 0], ['i32 = id or not i8 != i16', 0], ['id > 4000 and i16 > i8', 1],
    // IS [NOT] DISTINCT FROM: nulls equal nulls, never unknown.
    ['i8 is distinct from 5', 0], ['not i8 is distinct from 5', 0], ['i32 is not distinct from null', 0],
    ['i8 is distinct from i16', 0], ['i8 is not distinct from i32', 0], ['not i32 is distinct from i8', 0],
    ['id is not distinct from 4500', 2],
  ];
  let bad = 0;
  for (const [where, minSkipped] of cases) {
    const [{ n }] = await q(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlStr(file)}) WHERE ${where}`);
    const r = spawnSync(sluice, ['scan', file, '--where', where, '--threads', '2'], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`filter-failed  ${path.basename(file)} --where "${where}": ${r.stderr.trim()}`);
      bad++;
      continue;
    }
    const out = JSON.parse(r.stdout);
    if (BigInt(out.rows) !== n || out.row_groups_skipped < minSkipped) {
      console.log(`filter-differs ${path.basename(file)} --where "${where}": sluice ${out.rows} rows ` +
        `(${out.row_groups_skipped} of ${out.row_groups} row groups skipped, want >= ${minSkipped}), DuckDB ${n}`);
      bad++;
    }
  }
  console.log(`filters        ${path.basename(file)}: ${cases.length - bad} of ${cases.length} --where cases agree with DuckDB`);
  return bad;
}

let failures = 0, rewritten = 0;
const grouped = files.find((f) => path.basename(f) === 'duck_row_groups.parquet');
if (grouped) failures += await checkFilters(grouped);
for (const f of files) {
  const base = path.basename(f);
  const res = await compare(f);
  const known = KNOWN[base];
  let line = `${res.status.padEnd(14)} ${base}`;
  if (res.status === 'same') line += ` (${res.rows} rows${res.skipped.length ? `; not compared: ${res.skipped.join(', ')}` : ''})`;
  else if (res.detail) line += `: ${res.detail}`;
  const ok = res.status === 'same' || res.status === 'duckdb-cannot' || res.status === 'nothing-comparable';
  if (res.status === 'duckdb-cannot') {
    // DuckDB cannot read it: sluice must still read it (its values are checked by the C++ tests).
    const r = spawnSync(sluice, ['scan', f], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`sluice-failed  ${base}: ${(r.stderr || '').trim()}`);
      failures++;
      continue;
    }
  }
  if (!ok && known) line += `\n               known: ${known}`;
  else if (!ok) failures++;
  console.log(line);
  if (res.status === 'same') {
    const w = await compareRewrite(f, res.desc);
    if (w.ok) {
      ++rewritten;
      if (w.changes.length) console.log(`rewritten      ${base}: ${w.changes.join('; ')}`);
    } else {
      failures++;
      console.log(`rewrite-differs ${base}: ${w.detail}`);
    }
  }
}
console.log(`\n${files.length} files, ${rewritten} rewritten by sluice and read back by DuckDB unchanged, ` +
  `${failures} unexpected disagreement${failures === 1 ? '' : 's'}`);
process.exit(failures ? 1 : 0);
