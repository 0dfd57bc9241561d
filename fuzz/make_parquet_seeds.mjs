#!/usr/bin/env node
// Writes the seed corpus of the parquet_reader fuzz target: small files DuckDB writes with every
// type, nulls, nesting, each codec and page version, each prefixed by the target's two option bytes.
// usage: node fuzz/make_parquet_seeds.mjs fuzz/corpus/parquet_reader
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const out = process.argv[2];
if (!out) {
  console.error('usage: node make_parquet_seeds.mjs DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-seeds-'));
const con = await (await DuckDBInstance.create(':memory:')).connect();
const tables = {
  ints: `SELECT i::INTEGER AS a, (i * 7)::BIGINT AS b, (i % 3)::TINYINT AS c, CASE WHEN i % 4 = 0 THEN NULL ELSE i::SMALLINT END AS d FROM range(40) r(i)`,
  strings: `SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 's' || (i % 7) END AS s, repeat('x', i % 9)::BLOB AS b FROM range(30) r(i)`,
  floats: `SELECT i / 3.0 AS d, (i / 7.0)::FLOAT AS f, CASE WHEN i = 3 THEN 'nan'::DOUBLE ELSE i END AS n FROM range(25) r(i)`,
  temporal: `SELECT '2020-01-01'::DATE + i::INTEGER AS d, '2020-01-01 01:02:03'::TIMESTAMP + to_seconds(i) AS ts,
             '2020-01-01 01:02:03+00'::TIMESTAMPTZ AS tz, '01:02:03'::TIME AS t, '2020-01-01'::TIMESTAMP_NS AS ns FROM range(20) r(i)`,
  decimals: `SELECT (i * 1.25)::DECIMAL(5,2) AS a, (i * 3.5)::DECIMAL(15,3) AS b, (i * 7)::DECIMAL(30,4) AS c FROM range(20) r(i)`,
  nested: `SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE range(i % 4) END AS l, {'x': i, 'y': [i, NULL]} AS st,
           MAP {'k': i} AS m, [[i], [], NULL] AS ll FROM range(20) r(i)`,
  bools: `SELECT i % 2 = 0 AS b, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 5 = 0 END AS n FROM range(50) r(i)`,
  uuid: `SELECT uuid() AS u, 'A'::ENUM('A','B') AS e FROM range(5)`,
  // Pages of 4 KiB and more (compressed), which the reader decompresses together when SNAPPY.
  pages: `SELECT md5(i::VARCHAR) AS h, CASE WHEN i % 7 = 0 THEN NULL ELSE md5((i * 3)::VARCHAR) END AS g,
          [i, i + 1] AS l FROM range(200) r(i)`,
  // Three such pages in one row group: shared out among two threads (the reader's field path).
  pages3: `SELECT md5(i::VARCHAR) AS h, md5((i * 3)::VARCHAR) AS g, md5((i * 5)::VARCHAR) AS f FROM range(140) r(i)`,
};
const variants = [
  ['snappy', 'COMPRESSION snappy'],
  ['zstd', 'COMPRESSION zstd'],
  ['gzip', 'COMPRESSION gzip'],
  ['lz4', 'COMPRESSION lz4_raw'],
  ['none_v2', 'COMPRESSION uncompressed, PARQUET_VERSION v2'],
  ['nodict_rg', 'COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1, ROW_GROUP_SIZE 8'],
];
let n = 0;
for (const [name, sql] of Object.entries(tables)) {
  for (const [vname, opts] of variants) {
    const f = path.join(tmp, `${name}_${vname}.parquet`);
    await con.run(`COPY (${sql}) TO '${f}' (FORMAT parquet, ${opts})`);
    const bytes = fs.readFileSync(f);
    if (bytes.length > 16000) continue;
    const prefix = Buffer.from([(n * 37) % 256, n % 8]);
    fs.writeFileSync(path.join(out, `${name}_${vname}`), Buffer.concat([prefix, bytes]));
    n++;
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${n} seeds in ${out}`);
