// A stand-in for the services credentials come from (STS, the ECS agent, EC2 IMDS, Google's token
// endpoint, the GCE metadata server), for tests/io/credentials_test.cpp. Listens on 127.0.0.1 on a
// free port, prints the port on stdout, records every request it sees.
//
// Control: PUT /__config with a JSON object merged into `config` below; GET /__requests gives the
// recorded requests as a JSON array ({method, url, headers, body}); POST /__reset clears them and
// numbers the credentials handed out from 1 again.
import http from 'node:http';

const config = {
  expires_in: 3600,       // seconds until the credentials and tokens handed out expire
  delay_ms: 0,            // IMDS and GCE metadata answer after this long
  sts_status: 200,
  ecs_authorization: '',  // when set, the ECS endpoint wants this Authorization header
  imds_role: 'test-role',
  token_status: 200,
};
const requests = [];
let issued = 0;

const iso = (secondsFromNow) => new Date(Date.now() + secondsFromNow * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function handle(req, res, body) {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  if (path === '/__config' && req.method === 'PUT') {
    Object.assign(config, JSON.parse(body));
    return send(res, 200, '{}');
  }
  if (path === '/__requests') return send(res, 200, JSON.stringify(requests));
  if (path === '/__reset') {
    requests.length = 0;
    issued = 0;
    return send(res, 200, '{}');
  }
  requests.push({ method: req.method, url: req.url, headers: req.headers, body });

  // STS AssumeRoleWithWebIdentity (form-encoded POST).
  if (path.startsWith('/sts')) {
    const form = new URLSearchParams(body);
    if (config.sts_status !== 200 || form.get('Action') !== 'AssumeRoleWithWebIdentity') {
      return send(res, config.sts_status === 200 ? 400 : config.sts_status,
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
        '<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>',
        { 'Content-Type': 'text/xml' });
    }
    const n = ++issued;
    return send(res, 200,
      '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
      '<AssumeRoleWithWebIdentityResult><Credentials>' +
      `<AccessKeyId>ASIASTS${n}</AccessKeyId><SecretAccessKey>sts-secret-${n}</SecretAccessKey>` +
      `<SessionToken>sts-session-${n}</SessionToken><Expiration>${iso(config.expires_in)}</Expiration>` +
      '</Credentials><SubjectFromWebIdentityToken>system:serviceaccount:x</SubjectFromWebIdentityToken>' +
      '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>' +
      '</AssumeRoleWithWebIdentityResponse>', { 'Content-Type': 'text/xml' });
  }

  // ECS container credentials.
  if (path.startsWith('/ecs')) {
    if (config.ecs_authorization && req.headers.authorization !== config.ecs_authorization)
      return send(res, 401, '{"message":"unauthorized"}');
    const n = ++issued;
    return send(res, 200, JSON.stringify({
      AccessKeyId: `ASIAECS${n}`, SecretAccessKey: `ecs-secret-${n}`, Token: `ecs-session-${n}`,
      Expiration: iso(config.expires_in), RoleArn: 'arn:aws:iam::123456789012:role/ecs',
    }));
  }

  const later = (fn) => (config.delay_ms > 0 ? setTimeout(fn, config.delay_ms) : fn());

  // EC2 IMDSv2.
  if (path === '/latest/api/token') {
    return later(() => {
      if (req.method !== 'PUT' || !req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(res, 400, '');
      send(res, 200, 'imds-session-token');
    });
  }
  if (path.startsWith('/latest/meta-data/iam/security-credentials/')) {
    return later(() => {
      if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-session-token') return send(res, 401, '');
      const role = path.slice('/latest/meta-data/iam/security-credentials/'.length);
      if (role === '') return config.imds_role ? send(res, 200, config.imds_role) : send(res, 404, '');
      if (role !== config.imds_role) return send(res, 404, '');
      const n = ++issued;
      send(res, 200, JSON.stringify({
        Code: 'Success', LastUpdated: iso(0), Type: 'AWS-HMAC', AccessKeyId: `ASIAIMDS${n}`,
        SecretAccessKey: `imds-secret-${n}`, Token: `imds-session-${n}`, Expiration: iso(config.expires_in),
      }));
    });
  }

  // Google's OAuth2 token endpoint (service account JWT exchange).
  if (path === '/token') {
    const form = new URLSearchParams(body);
    if (config.token_status !== 200 || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return send(res, config.token_status === 200 ? 400 : config.token_status,
        '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}');
    const n = ++issued;
    return send(res, 200, JSON.stringify({ access_token: `ya29.sa-${n}`, expires_in: config.expires_in, token_type: 'Bearer' }),
      { 'Content-Type': 'application/json' });
  }

  // The GCE metadata server.
  if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
    return later(() => {
      if (req.headers['metadata-flavor'] !== 'Google') return send(res, 403, '');
      const n = ++issued;
      send(res, 200, JSON.stringify({ access_token: `ya29.md-${n}`, expires_in: config.expires_in, token_type: 'Bearer' }),
        { 'Content-Type': 'application/json', 'Metadata-Flavor': 'Google' });
    });
  }
  send(res, 404, 'not found');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
// The test holds our stdin: when it goes away, crashed or not, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
