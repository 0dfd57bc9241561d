// Streams generated objects to and from a real S3 server (Ceph radosgw on 127.0.0.1, started here by
// tests/io/radosgw.sh unless --endpoint names one) with `sluice cp` and with Debian's awscli, same run:
// upload from stdin, download to stdout; throughput and peak RSS of each. The targets: sluice's
// upload peak RSS ≤ part size × (parts in flight + 1) + 32 MiB, the same at every size; sluice's
// throughput ≥ 1.5× awscli's, both ways.
//
//   node bench/compare/store_compare.mjs --build build-bench [--sizes 1,4] [--reps 1]
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, makeDie, parseOptions, printTable, fmt, mib, machine, warnIfBusy, finish } from './common.mjs';

const die = makeDie('store_compare');
const usage = `usage: node bench/compare/store_compare.mjs [options]
  --build DIR         build folder with tools/sluice/sluice (default build-bench)
  --sluice PATH       the sluice binary (default BUILD/tools/sluice/sluice)
  --work-dir DIR      where the generated objects are kept (default BUILD/bench-data)
  --sizes LIST        object sizes in GiB (default 1,4)
  --reps N            repetitions, best kept, the tools' order alternating (default 2)
  --part-size MIB     sluice's part size (default 8, its default)
  --parts-in-flight N sluice's parts in flight (default 4, its default)
  --endpoint URL      an S3 server already running (key AKIDTEST / SECRETTEST unless AWS_* say otherwise)
  --aws PATH          awscli (default /usr/bin/aws)
  --out FILE          results as JSON (default WORK/store_compare.json)`;
const o = parseOptions(process.argv.slice(2), { build: path.join(REPO, 'build-bench'), sizes: [1, 4], reps: 2, partMiB: 8, inFlight: 4, aws: '/usr/bin/aws' }, {
  '--build': (g, o) => (o.build = g.path()),
  '--sluice': (g, o) => (o.sluice = g.path()),
  '--work-dir': (g, o) => (o.work = g.path()),
  '--sizes': (g, o) => (o.sizes = g.str().split(',').map(Number)),
  '--reps': (g, o) => (o.reps = g.int('--reps')),
  '--part-size': (g, o) => (o.partMiB = g.int('--part-size')),
  '--parts-in-flight': (g, o) => (o.inFlight = g.int('--parts-in-flight')),
  '--endpoint': (g, o) => (o.endpoint = g.str()),
  '--aws': (g, o) => (o.aws = g.path()),
  '--out': (g, o) => (o.out = g.path()),
}, usage, die);
o.sluice ??= path.join(o.build, 'tools', 'sluice', 'sluice');
o.work ??= path.join(o.build, 'bench-data');
o.out ??= path.join(o.work, 'store_compare.json');
if (!fs.existsSync(o.sluice)) die(`no sluice binary at ${o.sluice} (build the 'sluice' target)`);
if (!fs.existsSync(o.aws)) die(`no awscli at ${o.aws} (apt-get install awscli)`);
if (o.sizes.some((s) => !(s > 0))) die('--sizes wants positive numbers of GiB', 2);
fs.mkdirSync(o.work, { recursive: true });

// ---- the server ----------------------------------------------------------------------------------
let rgwDir = null;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY ??= 'SECRETTEST';
process.env.AWS_REGION = process.env.AWS_DEFAULT_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_CONFIG_FILE;
if (!o.endpoint) {
  rgwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-rgw-'));
  console.log('starting radosgw (about 13 s)...');
  // Room for the largest object twice over (rgw frees deleted objects lazily; gc runs between uploads).
  const memstoreGiB = Math.max(6, Math.ceil(2 * Math.max(...o.sizes)) + 2);
  const r = spawnSync('bash', [path.join(REPO, 'tests/io/radosgw.sh'), 'start', rgwDir],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SLUICE_RGW_MEMSTORE_GIB: String(memstoreGiB) } });
  const env = fs.existsSync(path.join(rgwDir, 'env')) ? fs.readFileSync(path.join(rgwDir, 'env'), 'utf8') : '';
  if (r.status !== 0 || !/SLUICE_TEST_S3_ENDPOINT=(\S+)/.test(env)) die(`radosgw did not start: ${env || r.stdout}`);
  o.endpoint = /SLUICE_TEST_S3_ENDPOINT=(\S+)/.exec(env)[1];
}
const stopServer = () => {
  if (rgwDir) spawnSync('bash', [path.join(REPO, 'tests/io/radosgw.sh'), 'stop', rgwDir], { stdio: 'ignore' });
};
process.on('exit', stopServer);
process.on('SIGINT', () => process.exit(130));
process.env.AWS_ENDPOINT_URL = o.endpoint;

const aws = (...args) => spawnSync(o.aws, ['--endpoint-url', o.endpoint, ...args], { encoding: 'utf8' });
// Deletes an object and gives its space back to the in-memory OSD at once.
const remove = (key) => {
  aws('s3', 'rm', key);
  if (rgwDir) spawnSync('bash', [path.join(REPO, 'tests/io/radosgw.sh'), 'gc', rgwDir], { stdio: 'ignore' });
};
const bucket = `bench-${process.pid}`;
const mb = aws('s3', 'mb', `s3://${bucket}`);
if (mb.status !== 0) die(`cannot create the bucket: ${mb.stderr}`);

// ---- data ----------------------------------------------------------------------------------------
// Random bytes (incompressible, so nothing on the way can shortcut them), 64 MiB blocks each made
// distinct by their index.
function ensureObject(gib) {
  const file = path.join(o.work, `store_${gib}GiB.bin`);
  const size = Math.round(gib * 2 ** 30);
  if (fs.existsSync(file) && fs.statSync(file).size === size) return { file, size };
  console.log(`generating ${file}...`);
  const block = crypto.randomBytes(64 << 20);
  const fd = fs.openSync(file + '.tmp', 'w');
  for (let done = 0, i = 0; done < size; ++i) {
    block.writeUInt32LE(i, 0);
    const n = Math.min(block.length, size - done);
    fs.writeSync(fd, block, 0, n);
    done += n;
  }
  fs.closeSync(fd);
  fs.renameSync(file + '.tmp', file);
  return { file, size };
}

// ---- timed runs ----------------------------------------------------------------------------------
// Runs program args with stdin from `input` (or nothing) and stdout to `output` (or /dev/null), under
// GNU time for the peak RSS.
function run(program, args, input, output = '/dev/null') {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `store_compare_rss_${process.pid}.txt`);
    const inFd = input ? fs.openSync(input, 'r') : 'ignore';
    const outFd = fs.openSync(output, 'w');
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, program, ...args], { stdio: [inFd, outFd, 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (typeof inFd === 'number') fs.closeSync(inFd);
      fs.closeSync(outFd);
      let rssKiB = 0;
      try { rssKiB = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()); } catch { /* none */ }
      if (code !== 0) reject(new Error(`${path.basename(program)} ${args.join(' ')} failed (exit ${code}): ${err.trim()}`));
      else resolve({ seconds, rssKiB });
    });
  });
}

function sameBytes(a, b) {
  const r = spawnSync('cmp', ['-s', a, b]);
  return r.status === 0;
}

await warnIfBusy();
function sluiceFlagsFor() {
  return ['--endpoint-url', o.endpoint, '--part-size', `${o.partMiB}MiB`, '--parts-in-flight', String(o.inFlight)];
}
const sluiceFlags = sluiceFlagsFor();
const rows = [], results = [], failures = [];
const rssBoundKiB = (o.partMiB * (o.inFlight + 1) + 32) * 1024;
// A fresh OSD is slow to take its first gigabytes (memstore allocating): one untimed upload of the
// largest object first, so neither tool pays that.
{
  const { file } = ensureObject(Math.max(...o.sizes));
  console.log('warming the server up (untimed upload of the largest object)...');
  await run(o.sluice, ['cp', '-', `s3://${bucket}/warmup`, ...sluiceFlagsFor()], file);
  remove(`s3://${bucket}/warmup`);
}
for (const gib of o.sizes) {
  const { file, size } = ensureObject(gib);
  const best = {};
  const keep = (k, r) => { if (!best[k] || r.seconds < best[k].seconds) best[k] = { ...r, rssKiB: Math.max(r.rssKiB, best[k]?.rssKiB ?? 0) }; };
  for (let rep = 0; rep < o.reps; ++rep) {
    const key = `s3://${bucket}/obj-${gib}`;
    const awsRound = async () => {
      keep('awscli up', await run(o.aws, ['--endpoint-url', o.endpoint, 's3', 'cp', '-', key, '--expected-size', String(size)], file));
      keep('awscli down', await run(o.aws, ['--endpoint-url', o.endpoint, 's3', 'cp', key, '-']));
      remove(key);
    };
    if (rep % 2 === 1) await awsRound();  // alternate which tool goes first
    keep('sluice up', await run(o.sluice, ['cp', '-', key, ...sluiceFlags], file));
    keep('sluice down', await run(o.sluice, ['cp', key, '-', ...sluiceFlags]));
    if (rep === 0) {  // the object sluice wrote, read back by awscli, is the source byte for byte
      const back = path.join(o.work, 'store_back.bin');
      await run(o.aws, ['--endpoint-url', o.endpoint, 's3', 'cp', key, '-'], null, back);
      if (!sameBytes(file, back)) failures.push(`${gib} GiB: the object sluice uploaded differs from its source`);
      await run(o.sluice, ['cp', key, back, ...sluiceFlags]);
      if (!sameBytes(file, back)) failures.push(`${gib} GiB: sluice's download differs from the source`);
      fs.unlinkSync(back);
    }
    remove(key);
    if (rep % 2 === 0) await awsRound();
  }
  for (const [k, r] of Object.entries(best)) {
    const mbps = size / 1e6 / r.seconds;
    const [tool, dir] = k.split(' ');
    const peer = tool === 'sluice' ? best[`awscli ${dir}`] : null;
    const ratio = peer ? peer.seconds / r.seconds : null;
    rows.push([tool, dir, `${gib}`, fmt(r.seconds), fmt(mbps, 0), mib(r.rssKiB), ratio ? `${fmt(ratio)}x` : '']);
    results.push({ tool, direction: dir, gib, seconds: r.seconds, mbps, rssKiB: r.rssKiB, vsAwscli: ratio });
    if (tool === 'sluice' && ratio !== null && ratio < 1.5) failures.push(`${gib} GiB ${dir}: ${fmt(ratio)}x awscli (target 1.5x)`);
    if (k === 'sluice up' && r.rssKiB > rssBoundKiB)
      failures.push(`${gib} GiB upload: peak RSS ${mib(r.rssKiB)} > ${o.partMiB} MiB × ${o.inFlight + 1} + 32 MiB`);
  }
}
const m = machine();
console.log(`\nS3 (radosgw at ${o.endpoint}), sluice part ${o.partMiB} MiB × ${o.inFlight} in flight; best of ${o.reps}; ${m.cpus} CPUs (${m.model})`);
printTable(['tool', 'dir', 'GiB', 'seconds', 'MB/s', 'peak RSS', 'vs awscli'], rows);
const ups = results.filter((r) => r.tool === 'sluice' && r.direction === 'up').map((r) => r.rssKiB);
if (ups.length > 1) console.log(`sluice upload peak RSS across sizes: ${ups.map(mib).join(', ')} (bound ${mib(rssBoundKiB)})`);
finish(o.out, { machine: m, endpoint: o.endpoint, partMiB: o.partMiB, inFlight: o.inFlight, results }, failures,
  'sluice ≥ 1.5× awscli both ways; upload RSS within part × (in flight + 1) + 32 MiB');
