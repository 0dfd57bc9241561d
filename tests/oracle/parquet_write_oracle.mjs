#!/usr/bin/env node
// DuckDB as the independent oracle for sluice's Parquet WRITER.
//
// DuckDB builds source tables (every DuckDB type sluice reads: booleans, signed and unsigned integers
// with values beyond the signed range, floats with NaN / infinities / -0.0, decimals of every physical
// width with their extremes, dates, times, timestamps of every unit and with a time zone, strings with
// unicode and empty ones, blobs, UUIDs, enums, structs, lists, maps, lists of structs, structs of
// lists, several levels of nesting, NULLs at every level, empty lists), and writes each as Parquet
// (COPY ... TO (FORMAT parquet)). Then, for a matrix of writer options (every codec, data page v1 and
// v2, dictionary on and off, small pages and row groups, 1 and 2 threads, the delta / byte-stream-split
// encodings, bloom filters, page checksums, statistics off):
//
//   sluice convert src.parquet out.parquet OPTIONS
//
// and DuckDB checks sluice's file:
//   - rows: read_parquet(out) and the source table hold the same multiset of rows (EXCEPT ALL both
//     ways, equal counts), and in the same order (the id column against file_row_number). Floats are
//     compared as DuckDB's text of the value, which tells -0.0 from 0.0 and shows NaN; where DuckDB
//     reads the column back with another type, the column is compared after a cast that says why
//     (TYPE_CHANGES below); any other change of type is a failure;
//   - types: DuckDB reads every column of sluice's file with the type it reads its own file with
//     (but for TYPE_CHANGES);
//   - statistics: for every flat column and some nested leaves, parquet_metadata's min / max (as the
//     column's type) and null count of each row group equal DuckDB's min / max / count over the rows
//     of that row group (NaN left out of float min / max, as the format asks; a truncated min / max
//     must bound the values and be flagged inexact); --statistics off leaves none;
//   - filters: `SELECT count(*) ... WHERE` (=, >, BETWEEN, IS NULL ...) on sluice's file equals the
//     same on the source table (DuckDB skips row groups by sluice's statistics, so a wrong min / max
//     loses rows), and `sluice scan out --where` too (sluice skips row groups and pages by the page
//     index it wrote);
//   - footer: the codec asked for, the encodings asked for, the row groups asked for, bloom filters
//     where asked (and parquet_bloom_probe never excludes a row group holding the value), page CRCs
//     that `sluice scan --verify-checksums` accepts; with --threads 2 the file is byte for byte the
//     file written with one thread.
// And CSV -> Parquet and NDJSON -> Parquet: DuckDB writes the CSV / NDJSON, sluice converts it (types
// declared with --types, and inferred), DuckDB checks the Parquet holds its table.
//
// DuckDB types left out: INTERVAL (sluice reads it as a 12-byte fixed binary and writes it back
// without the INTERVAL annotation), TIME WITH TIME ZONE (sluice reads a UTC-adjusted time as a plain
// time), HUGEINT / UHUGEINT (DuckDB writes them as DOUBLE: nothing of them reaches sluice), UNION,
// BIT, VARINT, fixed-size ARRAY (DuckDB writes it as a LIST, which the LIST cases cover).
//
// Disagreements that are known and not the writer's to fix are listed in KNOWN with the reason;
// nothing is skipped silently.
//
// usage: node tests/oracle/parquet_write_oracle.mjs path/to/sluice [--keep] [--only NAME]
// exit: 0 all agree, 1 a disagreement or failure, 2 usage, 77 skipped (DuckDB not importable)

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
if (!sluice || !fs.existsSync(sluice)) {
  console.error('usage: node parquet_write_oracle.mjs path/to/sluice [--keep] [--only NAME]');
  process.exit(2);
}
const KEEP = process.argv.includes('--keep');
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : null;

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-parquet-write-oracle-'));
process.on('exit', () => (KEEP ? console.log(`files kept in ${tmp}`) : fs.rmSync(tmp, { recursive: true, force: true })));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const sqlStr = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;
const rp = (f) => `read_parquet(${sqlStr(f)})`;

const instance = await duckdb.DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const q1 = async (sql) => (await q(sql))[0];
// TIMESTAMPTZ values and their statistics are rendered in UTC whatever the machine's zone.
await q("SET TimeZone = 'UTC'");

// Disagreements that are not sluice's writer's (none so far): `${source}/${config}` → reason.
const KNOWN = {};

let failures = 0;
const knownSeen = [];
function problem(where, msg) {
  const known = KNOWN[where];
  if (known) {
    knownSeen.push(where);
    console.log(`  KNOWN   ${where}: ${msg}\n          known: ${known}`);
  } else {
    failures++;
    console.log(`  FAIL    ${where}: ${msg}`);
  }
}

function run(args, what) {
  const r = spawnSync(sluice, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what ?? 'sluice ' + args.join(' ')} failed (exit ${r.status}): ${(r.stderr || '').trim()}`);
  return r;
}

// ---- the source tables -------------------------------------------------------------------------

// A decimal built from text (exact, whatever the width): sign, integer digits and fraction digits
// from hashes of the row number.
const decimalSql = (p, s, salt, extremeRows) => {
  const intDigits = p - s;
  const nines = (k) => '9'.repeat(k);
  const maxText = `${nines(intDigits)}.${nines(s)}`;
  const intPart = intDigits > 18
    ? `(hash(i, '${salt}a') % ${'1' + '0'.repeat(18)})::VARCHAR || lpad((hash(i, '${salt}b') % ${'1' + '0'.repeat(intDigits - 18)})::VARCHAR, ${intDigits - 18}, '0')`
    : `(hash(i, '${salt}a') % ${'1' + '0'.repeat(intDigits)})::VARCHAR`;
  const frac = `lpad((hash(i, '${salt}f') % ${'1' + '0'.repeat(s)})::VARCHAR, ${s}, '0')`;
  return `CASE i WHEN ${extremeRows[0]} THEN '${maxText}'::DECIMAL(${p},${s}) WHEN ${extremeRows[1]} THEN '-${maxText}'::DECIMAL(${p},${s})
      WHEN ${extremeRows[2]} THEN NULL WHEN ${extremeRows[2] + 1} THEN 0::DECIMAL(${p},${s})
      ELSE ((CASE WHEN hash(i, '${salt}s') % 2 = 0 THEN '-' ELSE '' END) || ${intPart} || '.' || ${frac})::DECIMAL(${p},${s}) END`;
};

const SCALARS_ROWS = 6000;
const NESTED_ROWS = 4000;

// Flat columns: every scalar type. id is the row number (sorted: the statistics make row groups and
// pages prunable); ts rises with it too; the others are hashes of it, with NULLs.
const SCALARS_SQL = `
  SELECT
    i::BIGINT AS id,
    CASE WHEN i % 7 = 3 THEN NULL ELSE i % 3 = 0 END AS b,
    CASE i WHEN 10 THEN -128 WHEN 11 THEN 127 ELSE
      CASE WHEN i % 11 = 0 THEN NULL ELSE (hash(i, 'i8') % 256)::INTEGER - 128 END END::TINYINT AS i8,
    CASE i WHEN 12 THEN -32768 WHEN 13 THEN 32767 ELSE (hash(i, 'i16') % 65536)::INTEGER - 32768 END::SMALLINT AS i16,
    CASE i WHEN 14 THEN -2147483648 WHEN 15 THEN 2147483647 ELSE
      CASE WHEN i % 5 = 0 THEN NULL ELSE ((hash(i, 'i32') % 4294967296)::BIGINT - 2147483648) END END::INTEGER AS i32,
    CASE i WHEN 16 THEN -9223372036854775808 WHEN 17 THEN 9223372036854775807 ELSE
      (hash(i, 'i64') >> 1)::BIGINT * (CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END) END AS i64,
    (hash(i, 'u8') % 256)::UTINYINT AS u8,
    CASE WHEN i % 13 = 0 THEN NULL ELSE (hash(i, 'u16') % 65536)::USMALLINT END AS u16,
    CASE i WHEN 18 THEN 4294967295 WHEN 19 THEN 0 ELSE hash(i, 'u32') % 4294967296 END::UINTEGER AS u32,
    CASE i WHEN 20 THEN 18446744073709551615 WHEN 21 THEN 0 WHEN 22 THEN NULL WHEN 23 THEN 9223372036854775808
      ELSE hash(i, 'u64') END::UBIGINT AS u64,
    CASE i % 50 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::FLOAT WHEN 2 THEN 'inf'::FLOAT WHEN 3 THEN '-inf'::FLOAT
      WHEN 4 THEN '-0.0'::FLOAT WHEN 5 THEN 0.0::FLOAT WHEN 6 THEN 3.4028235e38::FLOAT WHEN 7 THEN 1.4e-45::FLOAT
      ELSE ((hash(i, 'f32') % 2000001)::DOUBLE / 7.0 - 142857)::FLOAT END AS f32,
    CASE i % 40 WHEN 0 THEN NULL WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN 'inf'::DOUBLE WHEN 3 THEN '-inf'::DOUBLE
      WHEN 4 THEN '-0.0'::DOUBLE WHEN 5 THEN 0.0 WHEN 6 THEN 1.7976931348623157e308 WHEN 7 THEN 5e-324
      WHEN 8 THEN -2.2250738585072014e-308
      ELSE (hash(i, 'f64') % 2000000000001)::DOUBLE / 3.0 - 333333333333.5 END AS f64,
    ${decimalSql(4, 2, 'd4', [24, 25, 26])} AS dec4,
    ${decimalSql(9, 3, 'd9', [28, 29, 30])} AS dec9,
    ${decimalSql(18, 4, 'd18', [32, 33, 34])} AS dec18,
    ${decimalSql(38, 10, 'd38', [36, 37, 38])} AS dec38,
    CASE i WHEN 40 THEN DATE '0001-01-01' WHEN 41 THEN DATE '9999-12-31' ELSE
      CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '1970-01-01' + ((hash(i, 'd') % 80000)::INTEGER - 40000) END END AS d,
    CASE i WHEN 42 THEN TIME '00:00:00' WHEN 43 THEN TIME '23:59:59.999999' ELSE
      CASE WHEN i % 19 = 0 THEN NULL ELSE TIME '00:00:00' + to_microseconds((hash(i, 'tm') % 86400000000)::BIGINT) END END AS tm,
    TIMESTAMP '1901-01-01 00:00:00' + to_microseconds(i::BIGINT * 987654321987 + (hash(i, 'ts') % 1000000)::BIGINT) AS ts,
    CASE WHEN i % 23 = 0 THEN NULL ELSE
      (TIMESTAMP '1950-06-07 08:09:10' + to_milliseconds((hash(i, 'ms') % 4000000000000)::BIGINT))::TIMESTAMP_MS END AS ts_ms,
    (TIMESTAMP '2001-02-03 04:05:06' + to_seconds((hash(i, 'sec') % 2000000000)::BIGINT - 1000000000))::TIMESTAMP_S AS ts_s,
    CASE WHEN i % 29 = 0 THEN NULL ELSE
      make_timestamp_ns((hash(i, 'ns') % 7000000000000000000)::BIGINT - 2000000000000000000) END AS ts_ns,
    CASE WHEN i % 31 = 0 THEN NULL ELSE
      TIMESTAMPTZ '1999-12-31 23:59:59.999999+00' + to_microseconds((hash(i, 'tz') % 2000000000000000)::BIGINT - 1000000000000000) END AS tstz,
    CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'héllo wörld ' || i WHEN 3 THEN '日本語テキスト' || (i % 100)
      WHEN 4 THEN '🙂🚀 emoji ' || i WHEN 5 THEN 'quote'' and "double" and \\ backslash ' || i
      ELSE 'str-' || (hash(i, 's') % 1000) END AS s,
    ['alpha', 'beta', 'gamma', 'delta', 'épsilon'][1 + (hash(i, 'low') % 5)::INTEGER] AS s_low,
    CASE WHEN i = 44 THEN repeat('z', 100) WHEN i = 45 THEN repeat('a', 70) WHEN i % 12 = 0 THEN NULL
      ELSE repeat(chr(98 + (hash(i, 'lc') % 20)::INTEGER), 40 + (hash(i, 'll') % 60)::INTEGER) || i END AS s_long,
    CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN ''::BLOB
      ELSE ('\\x' || printf('%02x', (hash(i, 'bl') % 256)::INTEGER) || '\\x00\\xff' || (i % 97)::VARCHAR)::BLOB END AS bl,
    CASE WHEN i % 9 = 0 THEN NULL ELSE (printf('%016x', hash(i, 'ua')) || printf('%016x', hash(i, 'ub')))::UUID END AS uu,
    ['red', 'green', 'blue'][1 + (i % 3)]::ENUM('red', 'green', 'blue') AS en,
    CASE WHEN i % 8 = 0 THEN NULL ELSE ('{"k": ' || i || ', "s": "v' || (i % 7) || '", "l": [1, 2]}')::JSON END AS js,
    NULL::INTEGER AS all_null,
    42::INTEGER AS constant
  FROM range(0, ${SCALARS_ROWS}) r(i)`;

// Nested columns: lists (null, empty, null elements), lists of lists, structs (null, with null
// fields), maps (null, empty, null values), lists of structs, structs of lists, several levels.
const NESTED_SQL = `
  SELECT
    i::BIGINT AS id,
    CASE WHEN i % 7 = 0 THEN NULL
      ELSE list_transform(range(i % 5), x -> CASE WHEN (x + i) % 4 = 0 THEN NULL ELSE (x * i - 5000)::INTEGER END) END AS li,
    CASE WHEN i % 8 = 0 THEN NULL
      ELSE list_transform(range(i % 4), x -> CASE WHEN x = 1 THEN NULL WHEN x = 2 THEN '' ELSE 'é' || (i + x)::VARCHAR END) END AS ls,
    CASE WHEN i % 9 = 0 THEN NULL ELSE list_slice([[i, i + 1], [], NULL, [NULL, -i * 2]]::BIGINT[][], 1, i % 5) END AS lli,
    CASE WHEN i % 6 = 5 THEN NULL
      ELSE list_slice([i / 3.0, 'nan'::DOUBLE, '-0.0'::DOUBLE, NULL, 'inf'::DOUBLE, -i * 1.5], 1 + i % 3, 1 + i % 7) END AS ld,
    CASE WHEN i % 10 = 0 THEN NULL
      ELSE [(i * 12.3456)::DECIMAL(18,4), NULL, (-i * 98765.4321)::DECIMAL(18,4)] END AS ldec,
    [DATE '2000-01-01' + i::INTEGER, NULL]::DATE[] AS ldate,
    CASE WHEN i % 11 = 0 THEN NULL ELSE [TIMESTAMP '2020-01-01' + to_seconds(i::BIGINT * 3601)] END AS lts,
    CASE WHEN i % 10 = 0 THEN NULL ELSE {
      'x': CASE WHEN i % 4 = 0 THEN NULL ELSE i::INTEGER END,
      'y': CASE WHEN i % 3 = 0 THEN NULL ELSE 'y' || i END,
      'z': CASE WHEN i % 5 = 0 THEN NULL ELSE {'p': i % 2 = 0, 'q': CASE WHEN i % 3 = 1 THEN NULL ELSE [i::INTEGER, NULL] END} END
    } END AS st,
    CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN MAP {}::MAP(VARCHAR, INTEGER)
      ELSE MAP(list_transform(range(i % 4), x -> 'k' || x),
               list_transform(range(i % 4), x -> CASE WHEN x = 1 THEN NULL ELSE (i * x)::INTEGER END)) END AS mp,
    CASE WHEN i % 12 = 0 THEN NULL ELSE MAP([i::INTEGER, -i::INTEGER - 1], [['a' || i], NULL]) END AS mpi,
    CASE WHEN i % 13 = 0 THEN NULL
      ELSE list_transform(range(i % 3), x -> CASE WHEN x = 1 AND i % 2 = 0 THEN NULL
        ELSE {'a': (i + x)::INTEGER, 'b': CASE WHEN x = 2 THEN NULL ELSE ['b' || x, NULL] END} END) END AS lst,
    CASE WHEN i % 14 = 0 THEN NULL ELSE {
      'l1': CASE WHEN i % 3 = 0 THEN NULL ELSE list_transform(range(i % 4), x -> x::INTEGER) END,
      'l2': CASE WHEN i % 5 = 0 THEN NULL ELSE [['p' || i, NULL], [], NULL] END
    } END AS sl,
    CASE WHEN i % 15 = 0 THEN NULL ELSE {'a': list_transform(range(i % 3), x ->
      CASE WHEN x = 1 AND i % 2 = 1 THEN NULL ELSE {'b': list_transform(range((i + x) % 3), y ->
        {'c': CASE WHEN y = 0 THEN NULL ELSE (i * 10 + y)::INTEGER END, 'd': [y::DOUBLE, NULL]}) } END)} END AS deep
  FROM range(0, ${NESTED_ROWS}) r(i)`;

// Edge cases: one row; columns entirely NULL, entirely NaN, one value repeated.
const EDGE_SQL = `
  SELECT i::BIGINT AS id, NULL::VARCHAR AS s_null, NULL::INTEGER[] AS l_null, NULL::STRUCT(a INTEGER) AS st_null,
    'nan'::DOUBLE AS d_nan, CASE WHEN i % 2 = 0 THEN 'nan'::DOUBLE END AS d_nan_null, [] ::INTEGER[] AS l_empty,
    'same'::VARCHAR AS s_same, CASE WHEN i % 3 = 0 THEN '-0.0'::DOUBLE ELSE 0.0 END AS d_zero
  FROM range(0, 300) r(i)`;

const SOURCES = [
  { name: 'scalars', sql: SCALARS_SQL, rows: SCALARS_ROWS },
  { name: 'nested', sql: NESTED_SQL, rows: NESTED_ROWS },
  { name: 'edge', sql: EDGE_SQL, rows: 300 },
  { name: 'one_row', sql: `SELECT * FROM (${SCALARS_SQL}) WHERE id = 2`, rows: 1 },
  { name: 'empty', sql: `SELECT * FROM (${NESTED_SQL}) LIMIT 0`, rows: 0 },
];

// ---- types that legitimately change -----------------------------------------------------------

// DuckDB's type of a source column → [the type DuckDB reads sluice's column as, SQL over the source
// column giving what it must equal, why].
const TYPE_CHANGES = {
  // DuckDB writes an ENUM as a string column (its own file reads back as VARCHAR too).
  ENUM: ['VARCHAR', (c) => `${c}::VARCHAR`, 'DuckDB writes an ENUM as a string'],
  // DuckDB reads every TIMESTAMP(MILLIS) / seconds Parquet column as a microsecond TIMESTAMP, its
  // own files included (the unit in sluice's file is checked on the schema below).
  TIMESTAMP_MS: ['TIMESTAMP', (c) => `${c}::TIMESTAMP`, 'DuckDB reads millisecond timestamps as TIMESTAMP'],
  TIMESTAMP_S: ['TIMESTAMP', (c) => `${c}::TIMESTAMP`, 'DuckDB writes second timestamps as microseconds'],
};
const typeChange = (t) => TYPE_CHANGES[/^ENUM\(/.test(t) ? 'ENUM' : t];
const hasFloat = (t) => /\b(FLOAT|DOUBLE)\b/.test(t);

// Per column: the source expression and the output expression that must be equal.
function comparePlan(name, srcType, outType) {
  const c = ident(name);
  const ch = typeChange(srcType);
  if (srcType !== outType) {
    if (ch && ch[0] === outType) return { s: ch[1](c), o: c, why: ch[2] };
    return { error: `DuckDB reads sluice's column as ${outType}, its own as ${srcType}` };
  }
  // Floats as text: -0.0 and 0.0 are equal as values (and NaN equals NaN in DuckDB); the text tells.
  if (hasFloat(srcType)) return { s: `${c}::VARCHAR`, o: `${c}::VARCHAR` };
  return { s: c, o: c };
}

// ---- writer configurations ---------------------------------------------------------------------

const CODECS = ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4', 'brotli'];
const CODEC_NAMES = { uncompressed: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP', zstd: 'ZSTD', lz4: 'LZ4_RAW', brotli: 'BROTLI' };
const SMALL = ['--page-size', '4KiB', '--row-group-rows', '1500'];

// { name, args, expect: {codec, rowGroupRows, encodings: {path: ENC}, bloom: [paths], stats, crc} }
function configsFor(source) {
  const list = [{ name: 'default', args: [], expect: { codec: 'snappy' } }];
  // Every codec with page v1 and v2; dictionary on for one of each codec's two, so each page version
  // has both; small pages and row groups; one and two threads alternating.
  CODECS.forEach((codec, ci) => {
    for (const pv of [1, 2]) {
      const dict = (ci + pv) % 2 === 0 ? 'on' : 'off';
      const threads = (ci + pv) % 3 === 0 ? '1' : '2';
      const level = codec === 'zstd' && pv === 2 ? ':9' : codec === 'lz4' && pv === 2 ? ':9' : codec === 'gzip' && pv === 2 ? ':1' : '';
      list.push({
        name: `${codec}${level.replace(':', '_')}_v${pv}_dict_${dict}_t${threads}`,
        args: ['--compression', codec + level, '--page-version', String(pv), '--dictionary', dict, ...SMALL, '--threads', threads],
        expect: { codec, rowGroupRows: 1500, dictionary: dict === 'on' },
      });
    }
  });
  if (source === 'scalars' || source === 'one_row') {
    const enc = {
      id: 'delta_binary_packed', i32: 'delta_binary_packed', i64: 'delta_binary_packed', u64: 'delta_binary_packed',
      d: 'delta_binary_packed', ts: 'delta_binary_packed', ts_ns: 'delta_binary_packed', dec9: 'delta_binary_packed',
      dec18: 'delta_binary_packed', i16: 'delta_binary_packed', u32: 'delta_binary_packed',
      // BYTE_STREAM_SPLIT on FLOAT / DOUBLE only: DuckDB 1.5 cannot read it on INT32 / INT64 /
      // FIXED_LEN_BYTE_ARRAY (format 2.11), which sluice also writes.
      f64: 'byte_stream_split', f32: 'byte_stream_split', dec38: 'delta_byte_array', tm: 'delta_binary_packed',
      s: 'delta_length_byte_array', bl: 'delta_length_byte_array',
      s_low: 'delta_byte_array', s_long: 'delta_byte_array', uu: 'delta_byte_array', en: 'plain',
    };
    const encArg = Object.entries(enc).map(([k, v]) => `${k}=${v}`).join(',');
    for (const pv of [1, 2]) {
      list.push({
        name: `encodings_v${pv}`,
        args: ['--encoding', encArg, '--page-version', String(pv), '--compression', pv === 1 ? 'uncompressed' : 'zstd',
          '--page-size', pv === 1 ? '2KiB' : '16KiB', '--row-group-rows', '2500', '--threads', '2'],
        expect: { codec: pv === 1 ? 'uncompressed' : 'zstd', rowGroupRows: 2500, encodings: enc },
      });
    }
    list.push({
      name: 'bloom_crc',
      args: ['--bloom-filter', 'id,s,i32,u64,dec18', '--page-checksums', '--compression', 'zstd', ...SMALL, '--threads', '2'],
      expect: { codec: 'zstd', rowGroupRows: 1500, bloom: ['id', 's', 'i32', 'u64', 'dec18'], crc: true,
        // Not dec18: DuckDB's parquet_bloom_probe misses DECIMAL values in DuckDB's own bloom filters
        // as well (probing 15.0 in its own DECIMAL(18,4) file says excluded); sluice's filter of
        // the same values answers exactly as DuckDB's own does.
        probe: ['id', 's', 'i32', 'u64'] },
    });
    // Row groups cut by size: the writer checks the size after each batch, so the reader is made to
    // give batches of 256 rows (about 60 KiB of data here); every row group but the last must then
    // hold about the limit, at most the limit plus a batch (checked as 0.9 to 1.5 times the limit:
    // while a row group is encoded its size is an estimate, the dictionary and its indexes counted
    // unpacked, so a dictionary-encoded group may end a little below the limit). At 1c4a949 the
    // dictionary being built was not counted at all and row_group_bytes_dict_on made one row group
    // of 1.6 MB for a 256 KiB limit.
    for (const dict of ['off', 'on']) {
      list.push({
        name: `row_group_bytes_dict_${dict}`,
        args: ['--row-group-size', '256KiB', '--batch-rows', '256', '--page-size', '8KiB', '--compression', 'gzip', '--dictionary', dict],
        expect: { codec: 'gzip', rowGroupBytes: 256 << 10, dictionary: dict === 'on' ? undefined : false },
      });
    }
  }
  if (source === 'nested') {
    const enc = {
      'li': 'delta_binary_packed', 'lli': 'delta_binary_packed', 'ld': 'byte_stream_split', 'ls': 'delta_length_byte_array',
      'st.y': 'delta_byte_array', 'mp.key': 'delta_byte_array', 'lst.element.a': 'delta_binary_packed',
      'deep.a.element.b.element.d': 'byte_stream_split',
    };
    const encArg = Object.entries(enc).map(([k, v]) => `${k}=${v}`).join(',');
    for (const pv of [1, 2]) {
      list.push({
        name: `encodings_v${pv}`,
        args: ['--encoding', encArg, '--page-version', String(pv), '--compression', pv === 1 ? 'snappy' : 'brotli',
          '--page-size', '2KiB', '--row-group-rows', '1000', '--threads', '2'],
        expect: { codec: pv === 1 ? 'snappy' : 'brotli', rowGroupRows: 1000, encodings: {
          'li, list, element': 'delta_binary_packed', 'lli, list, element, list, element': 'delta_binary_packed',
          'ld, list, element': 'byte_stream_split', 'ls, list, element': 'delta_length_byte_array', 'st, y': 'delta_byte_array',
          'mp, key_value, key': 'delta_byte_array', 'lst, list, element, a': 'delta_binary_packed',
          'deep, a, list, element, b, list, element, d, list, element': 'byte_stream_split' } },
      });
    }
    list.push({
      name: 'bloom_crc',
      args: ['--bloom-filter', 'id,mp.key', '--page-checksums', '--compression', 'lz4', '--page-version', '2', ...SMALL],
      expect: { codec: 'lz4', rowGroupRows: 1500, bloom: ['id', 'mp, key_value, key'], probe: ['id'], crc: true },
    });
  }
  if (source !== 'empty') {
    list.push({
      name: 'statistics_off',
      args: ['--statistics', 'off', '--compression', 'gzip:9', '--page-size', '1KiB', '--row-group-rows', '2000'],
      expect: { codec: 'gzip', rowGroupRows: 2000, stats: false },
    });
  }
  if (source === 'edge') {
    list.push({ name: 'tiny_pages', args: ['--page-size', '1', '--row-group-rows', '100', '--page-version', '2'],
      expect: { codec: 'snappy', rowGroupRows: 100 } });
  }
  return list;
}

// ---- checks ------------------------------------------------------------------------------------

async function describe(fromSql) {
  return (await q(`DESCRIBE SELECT * FROM ${fromSql}`)).map((d) => ({ name: d.column_name, type: d.column_type }));
}

// Rows: the same multiset, the same order; names the first differing column on failure.
async function checkRows(where, srcTable, srcCols, out) {
  const outCols = await describe(rp(out));
  if (outCols.map((c) => c.name).join(',') !== srcCols.map((c) => c.name).join(',')) {
    problem(where, `columns ${outCols.map((c) => c.name)} instead of ${srcCols.map((c) => c.name)}`);
    return;
  }
  const plans = srcCols.map((c, i) => ({ name: c.name, srcType: c.type, outType: outCols[i].type, ...comparePlan(c.name, c.type, outCols[i].type) }));
  const bad = plans.filter((p) => p.error);
  for (const p of bad) problem(where, `column ${p.name}: ${p.error}`);
  const used = plans.filter((p) => !p.error);
  const S = `SELECT ${used.map((p) => `${p.s} AS ${ident(p.name)}`).join(', ')} FROM ${srcTable}`;
  const O = `SELECT ${used.map((p) => `${p.o} AS ${ident(p.name)}`).join(', ')} FROM ${rp(out)}`;
  const r = await q1(`SELECT (SELECT count(*) FROM (${S})) AS sn, (SELECT count(*) FROM (${O})) AS o_n,
      (SELECT count(*) FROM ((${S}) EXCEPT ALL (${O}))) AS a, (SELECT count(*) FROM ((${O}) EXCEPT ALL (${S}))) AS b`);
  if (r.sn !== r.o_n || r.a !== '0' || r.b !== '0') {
    const cols = [];
    for (const p of used) {
      const d = await q(`SELECT s.id::VARCHAR AS id, s.v::VARCHAR AS src, o.v::VARCHAR AS out
          FROM (SELECT id, ${p.s} AS v FROM ${srcTable}) s FULL JOIN (SELECT id, ${p.o} AS v FROM ${rp(out)}) o USING (id)
          WHERE s.v IS DISTINCT FROM o.v ORDER BY 1 LIMIT 1`);
      if (d.length) cols.push(`${p.name} ${p.srcType} (id ${d[0].id}: DuckDB ${d[0].src} vs sluice ${d[0].out})`);
    }
    problem(where, `rows ${r.sn} vs ${r.o_n}, ${r.a}/${r.b} rows differ; columns: ${cols.join('; ') || '?'}`);
    return false;
  }
  const order = await q1(`SELECT count(*) AS n FROM read_parquet(${sqlStr(out)}, file_row_number = true)
      WHERE id IS DISTINCT FROM file_row_number + (SELECT coalesce(min(id), 0) FROM ${srcTable})`);
  if (order.n !== '0') problem(where, `${order.n} rows out of order`);
  return used.filter((p) => p.why).map((p) => `${p.name}: ${p.why}`);
}

// The leaves whose per-row-group statistics are checked: [path_in_schema, SQL giving the leaf values
// of a row (a list for repeated leaves), whether its null count is checked]. Flat columns are added
// from the schema.
const NESTED_LEAVES = [
  ['st, x', 'st.x', true],
  ['st, y', 'st.y', true],
  ['st, z, p', 'st.z.p', true],
  ['li, list, element', 'li', false],
  ['ls, list, element', 'ls', false],
  ['lli, list, element, list, element', 'flatten(lli)', false],
  ['ld, list, element', 'ld', false],
  ['ldec, list, element', 'ldec', false],
  ['lts, list, element', 'lts', false],
  ['mp, key_value, key', 'map_keys(mp)', false],
  ['mp, key_value, value', 'map_values(mp)', false],
  ['lst, list, element, a', 'list_transform(lst, e -> e.a)', false],
  ['sl, l1, list, element', 'sl.l1', false],
];

// Statistics of every row group against DuckDB's aggregates over that row group's rows.
async function checkStatistics(where, out, outCols, expect) {
  const meta = await q(`SELECT row_group_id::INTEGER AS rg, row_group_num_rows::BIGINT AS n, path_in_schema AS p, type,
      stats_min_value AS mn, stats_max_value AS mx, stats_null_count AS nc, min_is_exact, max_is_exact,
      stats_min, stats_max
      FROM parquet_metadata(${sqlStr(out)}) ORDER BY row_group_id, column_id`);
  if (expect.stats === false) {
    const withStats = meta.filter((m) => m.mn !== null || m.mx !== null || m.nc !== null || m.stats_min !== null);
    if (withStats.length) problem(where, `--statistics off, yet ${withStats.length} chunks have statistics (${withStats[0].p})`);
    return 0;
  }
  if (!meta.length) return 0;
  const data = `(SELECT *, rg FROM read_parquet(${sqlStr(out)}, file_row_number = true) d
      ASOF JOIN (SELECT row_group_id::INTEGER AS rg, (sum(row_group_num_rows) OVER (ORDER BY row_group_id) - row_group_num_rows)::BIGINT AS start
                 FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${sqlStr(out)}))) g
      ON d.file_row_number >= g.start)`;
  const leaves = [];
  for (const c of outCols) {
    if (/[\[{(]/.test(c.type.replace(/DECIMAL\(\d+,\d+\)/, ''))) continue;
    leaves.push({ path: c.name, expr: ident(c.name), type: c.type, list: false, nulls: true });
  }
  for (const [p, expr, nulls] of NESTED_LEAVES) {
    const top = p.split(', ')[0];
    const col = outCols.find((c) => c.name === top);
    if (!col) continue;
    const t = (await q1(`SELECT typeof(${expr}) AS t FROM ${rp(out)} LIMIT 1`))?.t
      ?? (await q1(`SELECT typeof(${expr}) AS t FROM (SELECT * FROM ${rp(out)} UNION ALL SELECT NULL LIMIT 1)`)).t;
    const list = !nulls;
    leaves.push({ path: p, expr, type: list ? t.replace(/\[\]$/, '') : t, list, nulls });
  }
  let checked = 0;
  for (const leaf of leaves) {
    const ms = meta.filter((m) => m.p === leaf.path);
    if (!ms.length) {
      problem(where, `no column chunk ${leaf.path} in parquet_metadata`);
      continue;
    }
    const float = leaf.type === 'FLOAT' || leaf.type === 'DOUBLE';
    const v = leaf.list ? 'v' : leaf.expr;
    const src = leaf.list ? `(SELECT rg, unnest(${leaf.expr}) AS v FROM ${data})` : data;
    const filt = float ? ` FILTER (WHERE NOT isnan(${v}))` : '';
    const agg = await q(`SELECT rg, (min(${v})${filt})::VARCHAR AS mn, (max(${v})${filt})::VARCHAR AS mx,
        (count(*) - count(${v}))::VARCHAR AS nc, count(${v}) AS nv, count(*) FILTER (WHERE ${float ? `isnan(${v})` : 'false'}) AS nan
        FROM ${src} GROUP BY rg`);
    const byRg = new Map(agg.map((a) => [Number(a.rg), a]));
    for (const m of ms) {
      const a = byRg.get(m.rg) ?? { mn: null, mx: null, nc: '0', nv: '0' };
      const at = `${leaf.path} row group ${m.rg}`;
      // Typed comparison of the rendered statistic with DuckDB's aggregate.
      const eqTyped = async (stat, agg) => {
        if (stat === null || agg === null) return stat === agg;
        const t = leaf.type;
        const r = await q1(`SELECT TRY_CAST(${sqlStr(stat)} AS ${t}) = TRY_CAST(${sqlStr(agg)} AS ${t}) AS ok`);
        return r.ok === true;
      };
      if (leaf.nulls && m.nc !== null && String(m.nc) !== a.nc) problem(where, `${at}: null count ${m.nc}, DuckDB counts ${a.nc}`);
      if (leaf.nulls && m.nc === null) problem(where, `${at}: no null count`);
      if (a.mn === null) {
        // Only nulls (or NaN): no min / max, or NaN ones are tolerable only for all-NaN chunks.
        if (m.mn !== null && !(float && Number(a.nan) > 0)) problem(where, `${at}: min ${m.mn} of a chunk without values`);
        continue;
      }
      // DuckDB's parquet_metadata renders an infinite min / max as NULL (its own files' too): an
      // infinite bound is not checked here.
      const inf = (x) => /^-?inf/.test(x ?? '');
      if (float && m.mn === null && inf(a.mn)) m.mn = a.mn;
      if (float && m.mx === null && inf(a.mx)) m.mx = a.mx;
      if (m.mn === null || m.mx === null) {
        problem(where, `${at}: no min / max (DuckDB: ${a.mn} .. ${a.mx})`);
        continue;
      }
      if (leaf.type === 'VARCHAR' || leaf.type === 'BLOB') {
        const cmp = await q1(`SELECT ${sqlStr(m.mn)}::${leaf.type} <= ${sqlStr(a.mn)}::${leaf.type} AS lo,
            ${sqlStr(m.mx)}::${leaf.type} >= ${sqlStr(a.mx)}::${leaf.type} AS hi,
            ${sqlStr(m.mn)}::${leaf.type} = ${sqlStr(a.mn)}::${leaf.type} AS mneq, ${sqlStr(m.mx)}::${leaf.type} = ${sqlStr(a.mx)}::${leaf.type} AS mxeq`);
        if (m.min_is_exact !== false ? !cmp.mneq : !cmp.lo) problem(where, `${at}: min ${m.mn} (exact ${m.min_is_exact}), DuckDB ${a.mn}`);
        if (m.max_is_exact !== false ? !cmp.mxeq : !cmp.hi) problem(where, `${at}: max ${m.mx} (exact ${m.max_is_exact}), DuckDB ${a.mx}`);
      } else {
        if (!(await eqTyped(m.mn, a.mn))) problem(where, `${at}: min ${m.mn}, DuckDB ${a.mn}`);
        if (!(await eqTyped(m.mx, a.mx))) problem(where, `${at}: max ${m.mx}, DuckDB ${a.mx}`);
        if (m.min_is_exact === false || m.max_is_exact === false) problem(where, `${at}: ${leaf.type} statistics flagged inexact`);
      }
      checked++;
    }
  }
  return checked;
}

// Filters on sluice's file: DuckDB's count equals the count over the table (row-group pruning by
// sluice's statistics), and sluice's own --where (pruning by row groups and the page index) too.
const FILTERS = {
  scalars: [
    'id = 3000', 'id > 4400', 'id BETWEEN 1499 AND 1501', 'id < 10', 'i32 IS NULL', 'i32 > 1000000000',
    'i8 = -128', 'u64 > 9223372036854775807', 'u32 >= 4294967295', "s = 'str-7'", "s > 'str-9'", 's IS NULL',
    "s_long < 'c'", 'f64 > 1e300', 'f32 < -100000', 'f64 = 0', 'isnan(f64)', 'f32 > 3e38', "d < DATE '1900-01-01'",
    "ts BETWEEN TIMESTAMP '1950-01-01' AND TIMESTAMP '1951-01-01'", "tstz > TIMESTAMPTZ '2020-01-01 00:00:00+00'",
    'dec18 > 99999999999999', 'dec38 < -9999999999999999999999999999', 'dec4 = 0', "tm > TIME '23:00:00'",
    'ts_ns IS NULL', 'b = true', 'all_null IS NOT NULL', 'constant = 42', "en = 'green'",
  ],
  nested: ['id = 77', 'id >= 3990', 'st.x > 3900', 'li IS NULL', 'st IS NULL', 'len(lst) = 2'],
  edge: ['id = 5', 'd_zero > 0', 'd_zero = 0', 's_null IS NULL', "s_same = 'same'", 'd_nan > 0'],
};
// The subset sluice's --where takes (comparisons of top-level columns with constants).
const SLUICE_FILTERS = {
  scalars: [
    ['id = 3000', 'id = 3000'], ['id > 4400', 'id > 4400'], ['i32 is null', 'i32 IS NULL'], ['i8 = -128', 'i8 = -128'],
    ['u64 > 9223372036854775807', 'u64 > 9223372036854775807'], ["s = 'str-7'", "s = 'str-7'"], ["s > 'str-9'", "s > 'str-9'"],
    ["s_long < 'c'", "s_long < 'c'"],
    // sluice compares floats as IEEE does (NaN > x is false); DuckDB orders NaN above everything.
    ['f64 > 1e300', 'f64 > 1e300 AND NOT isnan(f64)'], ['f32 < -100000', 'f32 < -100000'], ['f64 = 0', 'f64 = 0'], ["d < '1900-01-01'", "d < DATE '1900-01-01'"],
    ["ts >= '1950-01-01' and ts < '1951-01-01'", "ts >= TIMESTAMP '1950-01-01' AND ts < TIMESTAMP '1951-01-01'"],
    ['dec18 > 99999999999999', 'dec18 > 99999999999999'], ['dec4 = 0', 'dec4 = 0'], ['constant = 42', 'constant = 42'],
  ],
  nested: [['id = 77', 'id = 77'], ['id >= 3990', 'id >= 3990']],
  edge: [['d_zero > 0', 'd_zero > 0'], ["s_same = 'same'", "s_same = 'same'"]],
};

async function checkFilters(where, source, srcTable, out) {
  let n = 0;
  for (const f of FILTERS[source] ?? []) {
    const r = await q1(`SELECT (SELECT count(*) FROM ${rp(out)} WHERE ${f}) AS o, (SELECT count(*) FROM ${srcTable} WHERE ${f}) AS s`);
    if (r.o !== r.s) problem(where, `WHERE ${f}: ${r.o} rows from sluice's file, ${r.s} from the table`);
    n++;
  }
  for (const [sw, dw] of SLUICE_FILTERS[source] ?? []) {
    const r = spawnSync(sluice, ['scan', out, '--where', sw, '--threads', '2'], { encoding: 'utf8' });
    if (r.status !== 0) {
      problem(where, `sluice scan --where "${sw}" failed: ${r.stderr.trim()}`);
      continue;
    }
    const got = JSON.parse(r.stdout).rows;
    const want = (await q1(`SELECT count(*) AS n FROM ${srcTable} WHERE ${dw}`)).n;
    if (String(got) !== want) problem(where, `sluice scan --where "${sw}": ${got} rows, DuckDB ${want}`);
    n++;
  }
  return n;
}

// The footer: codec, encodings, row groups, bloom filters, page CRCs, the timestamp units.
async function checkFooter(where, out, expect, srcTable) {
  const meta = await q(`SELECT row_group_id::INTEGER AS rg, row_group_num_rows::BIGINT AS n, path_in_schema AS p,
      compression, encodings, bloom_filter_offset AS bo FROM parquet_metadata(${sqlStr(out)})`);
  const total = Number((await q1(`SELECT count(*) AS n FROM ${srcTable}`)).n);
  const rgs = new Map(meta.map((m) => [m.rg, Number(m.n)]));
  const codec = CODEC_NAMES[expect.codec];
  const wrongCodec = meta.filter((m) => m.compression !== codec);
  if (wrongCodec.length) problem(where, `compression ${wrongCodec[0].compression} for ${wrongCodec[0].p}, not ${codec}`);
  if (expect.rowGroupRows && total > 0) {
    const want = Math.ceil(total / expect.rowGroupRows);
    const sizes = [...rgs.values()];
    if (sizes.length !== want || sizes.slice(0, -1).some((x) => x !== expect.rowGroupRows))
      problem(where, `row groups of ${sizes.join(', ')} rows; --row-group-rows ${expect.rowGroupRows} wants ${want}`);
  }
  if (expect.rowGroupBytes) {
    // row_group_bytes is the row group's total_byte_size: its data uncompressed (the dictionary pages
    // included), which --row-group-size bounds.
    const sizes = await q(`SELECT DISTINCT row_group_id::INTEGER AS rg, row_group_bytes::BIGINT AS b FROM parquet_metadata(${sqlStr(out)}) ORDER BY 1`);
    const big = sizes.filter((x) => Number(x.b) > expect.rowGroupBytes * 1.5);
    const small = sizes.slice(0, -1).filter((x) => Number(x.b) < expect.rowGroupBytes * 0.9);
    if (big.length || small.length)
      problem(where, `--row-group-size ${expect.rowGroupBytes}: row groups of ${sizes.map((x) => x.b).join(', ')} bytes (uncompressed)`);
  }
  const ENC = { delta_binary_packed: 'DELTA_BINARY_PACKED', byte_stream_split: 'BYTE_STREAM_SPLIT', plain: 'PLAIN',
    delta_length_byte_array: 'DELTA_LENGTH_BYTE_ARRAY', delta_byte_array: 'DELTA_BYTE_ARRAY' };
  // expect.encodings: path_in_schema → the encoding asked for.
  for (const [col, enc] of Object.entries(expect.encodings ?? {})) {
    const chunks = meta.filter((x) => x.p === col);
    if (!chunks.length && total > 0) problem(where, `no column chunk ${col}`);
    for (const m of chunks) {
      const encs = m.encodings.split(', ');
      if (!encs.includes(ENC[enc]) || encs.includes('RLE_DICTIONARY') || encs.includes('PLAIN_DICTIONARY'))
        problem(where, `${col} row group ${m.rg}: encodings ${m.encodings}, asked for ${ENC[enc]}`);
    }
  }
  if (expect.dictionary === false) {
    const dict = meta.filter((m) => m.encodings.includes('DICTIONARY'));
    if (dict.length) problem(where, `--dictionary off, yet ${dict[0].p} has ${dict[0].encodings}`);
  }
  // Bloom filters on the columns asked for (paths as parquet_metadata writes them), on no other.
  const bloom = new Set(expect.bloom ?? []);
  for (const m of meta) {
    if (bloom.has(m.p) !== (m.bo !== null))
      problem(where, `${m.p} row group ${m.rg}: bloom filter ${m.bo === null ? 'missing' : 'present, not asked for'}`);
  }
  // The bloom filters never exclude a row group holding the value, and exclude most absent values.
  let probes = 0;
  for (const col of expect.probe ?? []) {
    const vals = await q(`SELECT v FROM (SELECT DISTINCT ${ident(col)}::VARCHAR AS v FROM ${srcTable} WHERE ${ident(col)} IS NOT NULL)
        ORDER BY hash(v) LIMIT 40`);
    for (const { v } of vals) {
      const r = await q(`SELECT p.row_group_id::INTEGER AS rg, p.bloom_filter_excludes AS ex
          FROM parquet_bloom_probe(${sqlStr(out)}, ${sqlStr(col)}, ${sqlStr(v)}) p`);
      const holding = await q(`SELECT DISTINCT g.rg FROM read_parquet(${sqlStr(out)}, file_row_number = true) d
          ASOF JOIN (SELECT row_group_id::INTEGER AS rg, (sum(row_group_num_rows) OVER (ORDER BY row_group_id) - row_group_num_rows)::BIGINT AS start
                     FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${sqlStr(out)}))) g
          ON d.file_row_number >= g.start WHERE d.${ident(col)}::VARCHAR = ${sqlStr(v)}`);
      for (const { rg } of holding) {
        if (r.find((x) => x.rg === rg)?.ex !== false) problem(where, `bloom filter of ${col} excludes ${v} from row group ${rg}, which holds it`);
      }
      probes++;
    }
    // Absent values: with an fpp of 1% nearly every probe must be excluded.
    const absent = {
      s: ["'no such string'", "'str-99999'", "'zzz'"], dec18: ['0.0005', '123.4567', '-1.0001'], i32: ['-1', '7777777', '3'],
      u64: ['1', '7777777', '123456789012'], id: ['-1', '123456789012', '7777777'],
    }[col];
    let excluded = 0, all = 0;
    for (const a of absent) {
      const present = (await q1(`SELECT count(*) AS n FROM ${srcTable} WHERE ${ident(col)} = ${a}`)).n !== '0';
      if (present) continue;
      const r = await q(`SELECT bloom_filter_excludes AS ex FROM parquet_bloom_probe(${sqlStr(out)}, ${sqlStr(col)}, ${a})`);
      all += r.length;
      excluded += r.filter((x) => x.ex === true).length;
    }
    if (all && excluded < all * 0.8) problem(where, `bloom filter of ${col}: only ${excluded} of ${all} probes of absent values excluded`);
  }
  if (expect.crc) {
    const r = spawnSync(sluice, ['scan', out, '--verify-checksums'], { encoding: 'utf8' });
    if (r.status !== 0) problem(where, `sluice scan --verify-checksums: ${r.stderr.trim()}`);
  }
  // Timestamp units survive (DuckDB reads them all as TIMESTAMP / TIMESTAMP_NS).
  const schema = await q(`SELECT name, logical_type FROM parquet_schema(${sqlStr(out)})`);
  for (const [col, unit] of [['ts_ms', 'MILLIS'], ['ts_ns', 'NANOS'], ['ts', 'MICROS'], ['tstz', 'MICROS']]) {
    const s = schema.find((x) => x.name === col);
    if (s && !(s.logical_type ?? '').includes(unit)) problem(where, `${col}: logical type ${s.logical_type}, not ${unit}`);
  }
  const tz = schema.find((x) => x.name === 'tstz');
  if (tz && !/isAdjustedToUTC=(1|true)/.test(tz.logical_type ?? '')) problem(where, `tstz: logical type ${tz.logical_type} is not UTC-adjusted`);
  return probes;
}

// ---- main: Parquet → Parquet ---------------------------------------------------------------------

const notes = new Set();
let files = 0, statChunks = 0, filterChecks = 0, bloomProbes = 0;
for (const src of SOURCES) {
  if (ONLY && !src.name.startsWith(ONLY)) continue;
  const table = `src_${src.name}`;
  await q(`CREATE OR REPLACE TABLE ${table} AS ${src.sql}`);
  const srcFile = path.join(tmp, `${src.name}.parquet`);
  // No dictionary in DuckDB's file: DuckDB's dictionary keeps one entry for -0.0 and 0.0 (a column
  // of -0.0 and 0.0 reads back as all -0.0 from DuckDB's own file).
  await q(`COPY ${table} TO ${sqlStr(srcFile)} (FORMAT parquet, ROW_GROUP_SIZE 2048, DICTIONARY_SIZE_LIMIT 0)`);
  const srcCols = await describe(table);
  // DuckDB's own file holds the table (else a difference below would not be sluice's).
  const own = await checkRows(`${src.name}/duckdb-own-file`, table, srcCols, srcFile);
  if (own === false) continue;
  // What DuckDB reads its own file as (the types sluice's file must read back as, TYPE_CHANGES aside).
  const ownCols = await describe(rp(srcFile));
  const configs = configsFor(src.name);
  console.log(`${src.name}: ${src.rows} rows, ${srcCols.length} columns, ${configs.length} writer configurations`);
  for (const cfg of configs) {
    const where = `${src.name}/${cfg.name}`;
    const out = path.join(tmp, `${src.name}.${cfg.name}.parquet`);
    const t0 = Date.now();
    try {
      run(['convert', srcFile, out, ...cfg.args]);
    } catch (e) {
      problem(where, e.message);
      continue;
    }
    files++;
    try {
      // sluice's file reads as DuckDB's own file does (TYPE_CHANGES aside).
      const outCols = await describe(rp(out));
      for (const [i, c] of ownCols.entries()) {
        const o = outCols[i];
        if (o && o.type !== c.type && !(typeChange(srcCols[i].type)?.[0] === o.type))
          problem(where, `${c.name}: DuckDB reads sluice's file as ${o.type}, its own as ${c.type}`);
      }
      const why = await checkRows(where, table, srcCols, out);
      if (Array.isArray(why)) for (const w of why) notes.add(w);
      statChunks += await checkStatistics(where, out, outCols, cfg.expect);
      filterChecks += await checkFilters(where, src.name, table, out);
      bloomProbes += await checkFooter(where, out, cfg.expect, table);
      // Threads change nothing in the file.
      const ti = cfg.args.indexOf('--threads');
      if (ti >= 0 && cfg.args[ti + 1] !== '1') {
        const one = out.replace(/\.parquet$/, '.t1.parquet');
        const args = [...cfg.args];
        args[ti + 1] = '1';
        run(['convert', srcFile, one, ...args]);
        if (!fs.readFileSync(one).equals(fs.readFileSync(out))) problem(where, `--threads ${cfg.args[ti + 1]} wrote another file than --threads 1`);
        fs.rmSync(one);
      }
    } catch (e) {
      problem(where, `check failed: ${e.message.split('\n')[0]}`);
    }
    console.log(`  ${cfg.name.padEnd(34)} ${String(fs.statSync(out).size).padStart(8)} bytes  ${Date.now() - t0} ms`);
    if (!KEEP) fs.rmSync(out);
  }
}

// ---- CSV → Parquet and NDJSON → Parquet -----------------------------------------------------------

// The sluice type name of a DuckDB type for --types.
function sluiceType(t) {
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (m) return `decimal(${m[1]},${m[2]})`;
  return {
    BOOLEAN: 'bool', TINYINT: 'int8', SMALLINT: 'int16', INTEGER: 'int32', BIGINT: 'int64',
    UTINYINT: 'uint8', USMALLINT: 'uint16', UINTEGER: 'uint32', UBIGINT: 'uint64', FLOAT: 'float32', DOUBLE: 'float64',
    DATE: 'date', TIME: 'time', TIMESTAMP: 'timestamp', TIMESTAMP_MS: 'timestamp[ms]', TIMESTAMP_S: 'timestamp[s]',
    TIMESTAMP_NS: 'timestamp[ns]', 'TIMESTAMP WITH TIME ZONE': 'timestamptz', VARCHAR: 'string',
    UUID: 'uuid', JSON: 'json', GEOMETRY: 'geometry', INTERVAL: 'interval',
  }[t] ?? null;
}

// WKT of every kind DuckDB reads (its text of them is what its CSV and JSON hold).
const GEOMETRY_WKT = [
  'POINT (1 2)', 'POINT Z (1 2 3)', 'POINT M (1 2 4)', 'POINT ZM (1 2 3 4)', 'POINT EMPTY', null,
  'LINESTRING (0 0, 1.5 -2.25, 1e300 -1e-300)', 'LINESTRING EMPTY', 'POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 1 2, 1 1))',
  'POLYGON Z ((0 0 1, 4 0 1, 4 4 1, 0 0 1))', 'MULTIPOINT (1 2, 3 4)', 'MULTIPOINT ((1 2), EMPTY)', 'MULTIPOINT EMPTY',
  'MULTILINESTRING ((0 0, 1 1), EMPTY)', 'MULTIPOLYGON (((0 0, 1 0, 0 1, 0 0)), EMPTY)',
  'GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), GEOMETRYCOLLECTION EMPTY)',
  'GEOMETRYCOLLECTION ZM (POINT ZM (1 2 3 4))', 'GEOMETRYCOLLECTION EMPTY', 'POINT (-0.0 0.1)',
];

// Intervals a Parquet INTERVAL holds, as DuckDB reads their text.
const INTERVAL_TEXT = [
  '1 year 2 months 3 days 04:05:06.5', '00:00:00', '100:00:00.25', '1 month', '3 days', null, '12:34:56.789',
  '1000 years', '1.5 days', '2 weeks 3 hours', '49 days 23:59:59.999',
];

// Text sources of one column `col` of DuckDB type `type` (and an id), from `texts` (null: NULL), in CSV
// and NDJSON: inferred, sluice reads strings (compared cast to the type); declared, the type itself.
function textOfOneType(name, col, type, texts, carries) {
  const values = texts.map((w, i) => `(${i + 1}, ${w === null ? 'NULL' : sqlStr(w)})`).join(', ');
  return ['csv', 'ndjson'].map((ext) => ({
    name: `${ext}_${name}`,
    table: `SELECT id, ${col}::${type} AS ${col} FROM (VALUES ${values}) t(id, ${col})`,
    copy: ext === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT json)',
    ext,
    rules: {
      [col]: { out: `TRY_CAST({} AS ${type})`, why: `${ext} carries ${carries}: inferred as a string, cast to ${type}` },
    },
  }));
}

// Text sources: [name, DuckDB table SQL, COPY options, extension, per-column rules].
// A rule: {src, out, why}: SQL over the source / output column ({}) compared instead.
const castTo = (t) => ({ out: `TRY_CAST({} AS ${t})` });
const TEXT_SOURCES = [
  {
    name: 'csv',
    // The scalars, the blob and UUID as DuckDB's text of them.
    table: `SELECT * EXCLUDE (en) FROM src_scalars`,
    copy: '(FORMAT csv, HEADER true)',
    ext: 'csv',
    rules: {
      // DuckDB's CSV holds a BLOB as escaped text (\\x00...): sluice reads text; cast back to BLOB.
      bl: { out: '{}::BLOB', why: 'CSV carries a BLOB as DuckDB\'s escaped text: read back as a string, cast to BLOB' },
      // A UUID is text in CSV: a string to sluice unless declared (--types uu=uuid).
      uu: { out: 'TRY_CAST({} AS UUID)', why: 'CSV carries a UUID as text: inferred as a string, cast to UUID' },
    },
  },
  {
    name: 'ndjson',
    // NaN and infinities are not JSON (DuckDB would write tokens no JSON reader takes): left out.
    table: `SELECT id, i32, u64, CASE WHEN isfinite(f64) THEN f64 END AS f64, dec18, d, ts, ts_ns, tstz, s, s_long,
            uu, js FROM src_scalars`,
    // No map: a JSON object is a struct to sluice's NDJSON reader (its fields the union of the keys),
    // so a map does not come back as a map (the Parquet → Parquet cases cover maps).
    nestedTable: `SELECT id, li, ls, lli, list_transform(ld, x -> CASE WHEN isfinite(x) THEN x END) AS ld, st, lst, sl, deep
            FROM src_nested`,
    copy: '(FORMAT json)',
    ext: 'ndjson',
    rules: {},
  },
  // Geometries as WKT (DuckDB writes a GEOMETRY as its text): declared (--types g=geometry) sluice
  // reads the WKT into WKB, which DuckDB must read back as its own geometries.
  ...textOfOneType('geometry', 'g', 'GEOMETRY', GEOMETRY_WKT, 'a geometry as WKT'),
  // Intervals as DuckDB's text of them: declared (--types iv=interval) sluice reads the text into a
  // Parquet INTERVAL, which DuckDB must read back as its own values (those a Parquet INTERVAL holds:
  // no negative part, milliseconds at the finest).
  ...textOfOneType('interval', 'iv', 'INTERVAL', INTERVAL_TEXT, 'an interval as text'),
];

// DuckDB's own reading of the text, with the source's types: rows that DuckDB itself does not carry
// through its own CSV / JSON are no sluice matter, so the comparison is against what DuckDB reads
// back from its file (checked here to equal the table first).
async function textLeg(ts, tableSql, tag) {
  const table = `text_${ts.name}_${tag}`;
  await q(`CREATE OR REPLACE TABLE ${table} AS ${tableSql}`);
  const cols = await describe(table);
  const file = path.join(tmp, `${table}.${ts.ext}`);
  await q(`COPY ${table} TO ${sqlStr(file)} ${ts.copy}`);
  const modes = [{ label: 'inferred', args: [] }];
  const declared = cols.filter((c) => sluiceType(c.type)).map((c) => `${c.name}=${sluiceType(c.type)}`);
  if (declared.length) modes.push({ label: 'declared', args: ['--types', declared.join(',')] });
  for (const mode of modes) {
    const where = `${table}/${mode.label}`;
    const out = path.join(tmp, `${table}.${mode.label}.parquet`);
    try {
      run(['convert', file, out, '--threads', '2', '--row-group-rows', '2500', ...mode.args]);
    } catch (e) {
      problem(where, e.message);
      continue;
    }
    files++;
    const outCols = await describe(rp(out));
    const plans = cols.map((c) => {
      const o = outCols.find((x) => x.name === c.name);
      const rule = ts.rules[c.name];
      const cc = ident(c.name);
      if (!o) return { name: c.name, error: 'missing' };
      let s = cc, oe = cc, why = null;
      // (A rule is for a type the text does not carry: not for one declared and read as it is.)
      if (rule && o.type !== c.type) {
        oe = rule.out.replaceAll('{}', cc);
        why = rule.why;
      } else if (o.type !== c.type && typeChange(c.type)?.[0] === o.type) {
        s = typeChange(c.type)[1](cc);
        why = typeChange(c.type)[2];
      } else if (o.type === 'DOUBLE' && /INT|DECIMAL/.test(c.type)) {
        // Inference: a number beyond int64 or with a fraction is float64. Compared with the double
        // nearest DuckDB's text of the value (both sides correctly rounded).
        s = `CAST(${cc}::VARCHAR AS DOUBLE)`;
        why = `inferred as float64: compared as the double nearest DuckDB's text`;
      } else if (o.type === 'TIMESTAMP' && c.type === 'TIMESTAMP_NS') {
        // Inference: timestamps are microseconds; the digits past them are cut from the text, i.e.
        // rounded down (DuckDB's cast rounds to nearest, so the source is cut here by hand).
        s = `make_timestamp((epoch_ns(${cc}) - ((epoch_ns(${cc}) % 1000) + 1000) % 1000) // 1000)`;
        why = 'inferred as timestamp[us]: compared with the source cut to microseconds';
      } else if (o.type !== c.type) {
        // Inferred (or a type the text cannot carry): sluice's column cast to the source type; a
        // value the cast cannot take becomes NULL and shows as a difference.
        oe = `TRY_CAST(${cc} AS ${c.type})`;
        why = `inferred as ${o.type}, compared cast to ${c.type}`;
      }
      if (hasFloat(c.type)) {
        s = `${s}::VARCHAR`;
        oe = `(${oe})::VARCHAR`;
      }
      // JSON compares as text in DuckDB: both sides minified by json() (sluice's NDJSON reader
      // writes a declared JSON column's values compactly; inferred, an object is a struct).
      if (c.type === 'JSON') {
        s = `json(${s})`;
        oe = `json(${oe})`;
      }
      return { name: c.name, type: c.type, outType: o.type, s, o: oe, why };
    });
    for (const p of plans.filter((p) => p.error)) problem(where, `column ${p.name} ${p.error}`);
    const used = plans.filter((p) => !p.error);
    const S = `SELECT ${used.map((p) => `${p.s} AS ${ident(p.name)}`).join(', ')} FROM ${table}`;
    const O = `SELECT ${used.map((p) => `${p.o} AS ${ident(p.name)}`).join(', ')} FROM ${rp(out)}`;
    const r = await q1(`SELECT (SELECT count(*) FROM (${O})) AS o_n, (SELECT count(*) FROM ${table}) AS sn,
        (SELECT count(*) FROM ((${S}) EXCEPT ALL (${O}))) AS a, (SELECT count(*) FROM ((${O}) EXCEPT ALL (${S}))) AS b`);
    if (r.sn !== r.o_n || r.a !== '0' || r.b !== '0') {
      const bad = [];
      for (const p of used) {
        const d = await q(`SELECT s.id::VARCHAR AS id, s.v::VARCHAR AS src, o.v::VARCHAR AS out
            FROM (SELECT id, ${p.s} AS v FROM ${table}) s FULL JOIN (SELECT id::BIGINT AS id, ${p.o} AS v FROM ${rp(out)}) o USING (id)
            WHERE s.v IS DISTINCT FROM o.v ORDER BY 1 LIMIT 1`);
        if (d.length) bad.push(`${p.name} ${p.type} as ${p.outType} (id ${d[0].id}: DuckDB ${d[0].src} vs sluice ${d[0].out})`);
      }
      problem(where, `rows ${r.sn} vs ${r.o_n}, ${r.a}/${r.b} differ; columns: ${bad.join('; ') || '?'}`);
    }
    const changed = used.filter((p) => p.why).map((p) => `${p.name}: ${p.why}`);
    console.log(`  ${where.padEnd(40)} ${r.o_n} rows${changed.length ? `; ${changed.join('; ')}` : ''}`);
    if (!KEEP) fs.rmSync(out);
  }
}

if (!ONLY || ONLY === 'text') {
  if (ONLY === 'text') {
    await q(`CREATE OR REPLACE TABLE src_scalars AS ${SCALARS_SQL}`);
    await q(`CREATE OR REPLACE TABLE src_nested AS ${NESTED_SQL}`);
  }
  console.log('text → Parquet');
  for (const ts of TEXT_SOURCES) {
    await textLeg(ts, ts.table, 'flat');
    if (ts.nestedTable) await textLeg(ts, ts.nestedTable, 'nested');
  }
}

console.log(`\ncompared after a cast (type changes that are expected):`);
for (const n of notes) console.log(`  ${n}`);
console.log(`\n${files} files written by sluice; ${statChunks} chunk statistics, ${filterChecks} filter counts, ` +
  `${bloomProbes} bloom probes checked; ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (knownSeen.length) console.log(`${knownSeen.length} known disagreement(s): ${[...new Set(knownSeen)].join(', ')}`);
console.log(`${failures} unexpected disagreement${failures === 1 ? '' : 's'}`);
process.exit(failures ? 1 : 0);
