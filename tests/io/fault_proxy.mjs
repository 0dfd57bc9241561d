// A fault-injecting HTTP proxy for the store tests (no dependencies): forwards to TARGET and, at random,
// answers 503 SlowDown without forwarding, or cuts the connection (before forwarding, or in the middle
// of the response body). The client's Host header is kept, so signatures still verify.
//   node fault_proxy.mjs TARGET_URL PERCENT_503 PERCENT_ABORT [SEED] [FAIL_PUTS_AFTER]
// FAIL_PUTS_AFTER N: after N requests have been forwarded, every PUT gets a 503 (a store that goes
// down in the middle of an upload, while DELETE still works so that the abort can be checked).
// Prints "port N" once listening on 127.0.0.1 (a free port); on SIGTERM prints the counts and exits.
import http from 'node:http';

const [target, p503 = '0', pAbort = '0', seedArg = '1', failPutsAfter = '-1'] = process.argv.slice(2);
const t = new URL(target);
let seed = Number(seedArg) >>> 0 || 1;
const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return (seed % 10000) / 100; };
const counts = { requests: 0, injected503: 0, abortedBefore: 0, abortedMidBody: 0 };

const server = http.createServer((req, res) => {
  counts.requests++;
  const r = rand();
  const down = Number(failPutsAfter) >= 0 && counts.requests > Number(failPutsAfter) && req.method === 'PUT';
  if (down || r < Number(p503)) {
    counts.injected503++;
    req.resume();
    req.on('end', () => {
      res.writeHead(503, { 'Content-Type': 'application/xml', 'Connection': 'close' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected by fault_proxy</Message></Error>');
    });
    return;
  }
  const abort = r < Number(p503) + Number(pAbort);
  if (abort && rand() < 50) {
    counts.abortedBefore++;
    req.socket.destroy();
    return;
  }
  const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
    res.writeHead(ur.statusCode, ur.headers);
    if (!abort) { ur.pipe(res); return; }
    counts.abortedMidBody++;
    let sent = 0;
    const limit = Number(ur.headers['content-length'] || 0) / 2;
    ur.on('data', (c) => {
      if (sent >= limit) { ur.destroy(); req.socket.destroy(); return; }
      sent += c.length;
      res.write(c);
    });
    ur.on('end', () => { if (sent < limit || limit === 0) res.end(); else req.socket.destroy(); });
  });
  up.on('error', () => req.socket.destroy());
  req.pipe(up);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
process.on('SIGTERM', () => { console.error(JSON.stringify(counts)); process.exit(0); });
