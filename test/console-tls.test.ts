/**
 * The web console beside an HTTPS S3 listener: it serves HTTPS with the same certificate, and its
 * session cookie is `Secure` then.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { Agent, fetch } from 'undici';
import { loadGatewayConfig } from '../gateway/config.ts';
import { startGateway } from '../gateway/main.ts';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { silentLogger } from '../src/log/logger.ts';
import { exportPrivateKeyPem, generateNodeKeyPair } from '../src/node-protocol/node-key.ts';
import { selfSignedCertificate } from '../src/node-protocol/self-signed-cert.ts';

test('with --tls-cert the console is HTTPS and its session cookie Secure', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'shardgate-console-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const key = generateNodeKeyPair();
  const cert = selfSignedCertificate(key, { commonName: 'gateway', altNames: ['127.0.0.1'], notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) });
  await writeFile(path.join(dir, 'cert.pem'), cert);
  await writeFile(path.join(dir, 'key.pem'), exportPrivateKeyPem(key), { mode: 0o600 });
  ensureMasterKeyFile(path.join(dir, 'master.key'));
  const { config } = loadGatewayConfig([
    '--port', '0', '--data-dir', path.join(dir, 'gateway'), '--log-requests', 'false', '--master-key-file', path.join(dir, 'master.key'),
    '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem'), '--console-listen', '127.0.0.1:0',
  ], { SHARDGATE_ADMIN_TOKEN: 'tls-console-admin-token' });
  const gateway = await startGateway(config, silentLogger);
  t.teardown(() => gateway.close());
  const origin = gateway.consoleUrl!;
  t.regex(origin, /^https:\/\/127\.0\.0\.1:\d+$/);
  const dispatcher = new Agent({ connect: { ca: cert } });
  t.teardown(() => dispatcher.close());
  const login = await fetch(`${origin}/api/login`, {
    method: 'POST', dispatcher, body: JSON.stringify({ token: 'tls-console-admin-token' }),
    headers: { origin, 'content-type': 'application/json' },
  });
  t.is(login.status, 200);
  const cookie = login.headers.get('set-cookie') ?? '';
  t.regex(cookie, /; Secure/);
  t.regex(cookie, /; HttpOnly/);
  t.is((await fetch(`${origin}/api/nodes`, { dispatcher, headers: { cookie: cookie.split(';')[0]! } })).status, 200);
  await t.throwsAsync(fetch(origin.replace('https:', 'http:')), undefined, 'no plain HTTP on the console either');
});
