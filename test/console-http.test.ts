/**
 * The web console over plain HTTP, without a browser: its security headers, the session cookie's
 * flags, login refusals that look alike, CSRF and Origin checks, 401 without a session, the audit
 * log, and the console key that can read objects and nothing else. One in-process gateway (no
 * shard nodes: nothing here stores bytes) with `--console-listen 127.0.0.1:0`. Serial: several
 * tests read the audit log's newest entries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { silentLogger } from '../src/log/logger.ts';
import { ConfigError } from '../src/config/flags.ts';
import { loadGatewayConfig } from '../gateway/config.ts';
import { startGateway, type RunningGateway } from '../gateway/main.ts';
import { s3ErrorOf } from './cluster.ts';

const ADMIN_TOKEN = 'console-test-admin-token-0123456789';
let gateway: RunningGateway;
let root: string;
let origin: string;

test.before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'shardgate-console-'));
  const masterKeyFile = path.join(root, 'master.key');
  ensureMasterKeyFile(masterKeyFile);
  const { config } = loadGatewayConfig([
    '--port', '0', '--data-dir', path.join(root, 'gateway'), '--log-requests', 'false', '--master-key-file', masterKeyFile,
    '--console-listen', '127.0.0.1:0', '--admin-token', ADMIN_TOKEN,
  ], {});
  gateway = await startGateway(config, silentLogger);
  origin = gateway.consoleUrl!;
});

test.after.always(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

function call(method: string, route: string, options: { cookie?: string; csrf?: string; origin?: string | null; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf !== undefined) headers['x-csrf-token'] = options.csrf;
  const requestOrigin = options.origin === undefined ? origin : options.origin;
  if (requestOrigin !== null) headers.origin = requestOrigin;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${origin}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
}

async function logIn(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const response = await call('POST', '/api/login', { body: { token: ADMIN_TOKEN } });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  const setCookie = response.headers.get('set-cookie')!;
  const { csrfToken } = await response.json() as { csrfToken: string };
  return { cookie: setCookie.split(';')[0]!, csrf: csrfToken, setCookie };
}

test.serial('the console has its own listener, apart from the S3 one', (t) => {
  t.not(new URL(origin).port, new URL(gateway.url).port);
});

test.serial('every answer carries a strict CSP, nosniff, DENY framing and no referrer: the page, an asset, a 401 and a 404', async (t) => {
  for (const [route, status] of [['/', 200], ['/js/main.js', 200], ['/api/nodes', 401], ['/nope', 404]] as const) {
    const response = await fetch(`${origin}${route}`);
    t.is(response.status, status, route);
    const csp = response.headers.get('content-security-policy') ?? '';
    t.true(csp.includes("default-src 'self'") && csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), `${route}: ${csp}`);
    t.false(csp.includes('unsafe'), `${route}: no unsafe-inline or unsafe-eval`);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', route);
    t.is(response.headers.get('x-frame-options'), 'DENY', route);
    t.is(response.headers.get('referrer-policy'), 'no-referrer', route);
  }
  t.is((await fetch(`${origin}/js/main.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  const page = await (await fetch(`${origin}/`)).text();
  t.false(/<script(?![^>]*\bsrc=)[^>]*>/.test(page), 'no inline script in the page');
  t.regex(page, /<meta name="csrf-token" content="">/, 'no CSRF token without a session');
});

test.serial('without a session every API call is 401', async (t) => {
  for (const route of ['/api/health', '/api/nodes', '/api/accounts', '/api/buckets?account=x', '/api/objects?bucket=x', '/api/usage?account=x', '/api/range-reads', '/api/audit', '/api/session']) {
    const response = await fetch(`${origin}${route}`, { headers: { cookie: 'shardgate_console=made-up' } });
    t.is(response.status, 401, route);
    t.is((await response.json() as { error: string }).error, 'Unauthorized', route);
  }
  t.is((await call('POST', '/api/download-link', { body: { bucket: 'b', key: 'k' }, csrf: 'x' })).status, 401);
});

test.serial('a wrong token is refused the same way whatever its format, and each refusal is audited', async (t) => {
  const wrong = ['', 'x', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, ADMIN_TOKEN.toUpperCase(), 'A'.repeat(ADMIN_TOKEN.length), 'é'.repeat(5000)];
  const answers = new Set<string>();
  for (const token of wrong) {
    const response = await call('POST', '/api/login', { body: { token } });
    t.is(response.status, 401, `token of ${token.length} characters`);
    t.is(response.headers.get('set-cookie'), null);
    answers.add(await response.text());
  }
  t.deepEqual([...answers], [JSON.stringify({ error: 'LoginRefused', message: 'wrong admin token' })]);
  const refusals = (await gateway.deps.store.listAdminAudit({ limit: 50 })).filter((entry) => entry.action === 'login' && entry.outcome === 'refused');
  t.true(refusals.length >= wrong.length);
  t.is((await call('POST', '/api/login', { body: { nope: ADMIN_TOKEN } })).status, 400);
});

test.serial('login sets an HttpOnly, SameSite=Strict session cookie; the page then carries the CSRF token; logout ends the session', async (t) => {
  const { cookie, csrf, setCookie } = await logIn();
  t.regex(setCookie, /^shardgate_console=[A-Za-z0-9_-]{43};/);
  t.regex(setCookie, /; HttpOnly/);
  t.regex(setCookie, /; SameSite=Strict/);
  t.regex(setCookie, /; Path=\//);
  t.false(setCookie.includes(ADMIN_TOKEN));
  const page = await (await fetch(`${origin}/`, { headers: { cookie } })).text();
  t.true(page.includes(`<meta name="csrf-token" content="${csrf}">`));
  t.is((await fetch(`${origin}/api/nodes`, { headers: { cookie } })).status, 200);
  // Cookies ignore ports: a page on the S3 listener of the same host is same-site, and its reads
  // of the API carry the cookie. The browser says so (Sec-Fetch-Site), and the API refuses them.
  const crossSite = await fetch(`${origin}/api/nodes`, { headers: { cookie, 'sec-fetch-site': 'same-site' } });
  t.is(crossSite.status, 403);
  t.is((await crossSite.json() as { error: string }).error, 'CrossOriginRefused');
  t.is((await fetch(`${origin}/api/nodes`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } })).status, 200);
  t.is((await call('POST', '/api/logout', { cookie })).status, 403, 'logout without the CSRF token is refused');
  t.is((await call('POST', '/api/logout', { cookie, csrf })).status, 200);
  t.is((await fetch(`${origin}/api/nodes`, { headers: { cookie } })).status, 401, 'the session is gone');
  const actions = (await gateway.deps.store.listAdminAudit({ limit: 5 })).map((entry) => `${entry.action} ${entry.outcome}`);
  t.deepEqual(actions.slice(0, 2), ['logout ok', 'login ok']);
});

test.serial('a change needs the session\'s CSRF token and the console\'s own Origin', async (t) => {
  const { cookie, csrf } = await logIn();
  const body = { bucket: 'nobucket', key: 'k' };
  const refused = async (options: Parameters<typeof call>[2], status: number, error: string) => {
    const response = await call('POST', '/api/download-link', { cookie, body, ...options });
    t.is(response.status, status);
    t.is((await response.json() as { error: string }).error, error);
  };
  await refused({}, 403, 'CsrfTokenInvalid');
  await refused({ csrf: 'not-the-token' }, 403, 'CsrfTokenInvalid');
  await refused({ csrf, origin: 'http://evil.example' }, 403, 'CrossOriginRefused');
  await refused({ csrf, origin: null }, 403, 'CrossOriginRefused');
  await refused({ csrf, origin: gateway.url }, 403, 'CrossOriginRefused');
  await refused({ csrf }, 404, 'NoSuchKey');
  const login = await call('POST', '/api/login', { body: { token: ADMIN_TOKEN }, origin: 'http://evil.example' });
  t.is(login.status, 403, 'no login from another origin either');
});

test.serial('a download link is presigned by the console key on the S3 listener; the console key can read objects and nothing else', async (t) => {
  const rootS3 = s3Client(gateway.credentials.accessKeyId, gateway.credentials.secretKey);
  await rootS3.send(new CreateBucketCommand({ Bucket: 'console-bucket' }));
  const key = gateway.deps.consoleKey!;
  t.is(await gateway.deps.store.getAccessKey(key.accessKeyId), null, 'the console key is not in the store');
  const consoleS3 = s3Client(key.accessKeyId, key.secretKey);
  t.teardown(() => { rootS3.destroy(); consoleS3.destroy(); });
  for (const [name, command] of [
    ['PutObject', new PutObjectCommand({ Bucket: 'console-bucket', Key: 'x', Body: 'no' })],
    ['DeleteObject', new DeleteObjectCommand({ Bucket: 'console-bucket', Key: 'x' })],
    ['DeleteBucket', new DeleteBucketCommand({ Bucket: 'console-bucket' })],
    ['CreateBucket', new CreateBucketCommand({ Bucket: 'console-made' })],
    ['ListBuckets', new ListBucketsCommand({})],
    ['ListObjectsV2', new ListObjectsV2Command({ Bucket: 'console-bucket' })],
  ] as const) {
    t.deepEqual(await s3ErrorOf(t, consoleS3.send(command as never)), { name: 'AccessDenied', status: 403 }, name);
  }
  t.deepEqual(await s3ErrorOf(t, rootS3.send(new HeadObjectCommand({ Bucket: 'console-bucket', Key: 'x' }))), { name: 'NotFound', status: 404 }, 'nothing was written');
  // Reading is allowed (the answer is about the object, not about the key's rights).
  t.deepEqual(await s3ErrorOf(t, consoleS3.send(new GetObjectCommand({ Bucket: 'console-bucket', Key: 'missing' }))), { name: 'NoSuchKey', status: 404 });

  const { cookie, csrf } = await logIn();
  const missing = await call('POST', '/api/download-link', { cookie, csrf, body: { bucket: 'console-bucket', key: 'missing' } });
  t.is(missing.status, 404);
  const audit = await gateway.deps.store.listAdminAudit({ limit: 10 });
  t.false(audit.some((entry) => entry.action === 'download-link'), 'no link, no download-link entry');
});

test.serial('bad parameters are 400 naming the parameter, unknown accounts and buckets 404', async (t) => {
  const rootS3 = s3Client(gateway.credentials.accessKeyId, gateway.credentials.secretKey);
  t.teardown(() => rootS3.destroy());
  await rootS3.send(new CreateBucketCommand({ Bucket: 'params-bucket' }));
  const { cookie } = await logIn();
  const get = async (route: string) => {
    const response = await fetch(`${origin}${route}`, { headers: { cookie } });
    return { status: response.status, body: await response.json() as { error: string; parameter?: string } };
  };
  const rootId = gateway.credentials.accountId;
  for (const [route, parameter] of [
    ['/api/objects', 'bucket'], ['/api/objects?bucket=params-bucket&limit=0', 'limit'], ['/api/objects?bucket=params-bucket&limit=x', 'limit'],
    ['/api/buckets', 'account'], [`/api/usage?account=${rootId}&from=yesterday`, 'from'], ['/api/audit?before=-1', undefined],
  ] as const) {
    const { status, body } = await get(route);
    t.is(status, 400, route);
    t.is(body.error, 'InvalidParameter', route);
    if (parameter) t.is(body.parameter, parameter, route);
  }
  const thrown = await fetch(`${origin}/api/objects?bucket=params-bucket&limit=0`, { headers: { cookie } });
  t.is(thrown.headers.get('content-security-policy')?.startsWith("default-src 'self'"), true, 'security headers on an error answer too');
  t.is(thrown.headers.get('x-content-type-options'), 'nosniff');
  t.like(await get('/api/buckets?account=nobody'), { status: 404, body: { error: 'NoSuchAccount' } });
  t.like(await get('/api/objects?bucket=no-such-bucket'), { status: 404, body: { error: 'NoSuchBucket' } });
  const listing = await get('/api/objects?bucket=params-bucket&limit=1000');
  t.is(listing.status, 200);
  const invoice = await get(`/api/usage?account=${rootId}`);
  t.is(invoice.status, 200);
  t.true((invoice.body as unknown as { lines: { item: string }[] }).lines.some((line) => line.item === 'small-object-floor'));
});

// Last of the tests that log in: it locks this client's address out.
test.serial('ten refused logins in a minute lock the address out, the right token included', async (t) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    t.is((await call('POST', '/api/login', { body: { token: `guess-${attempt}` } })).status, 401);
  }
  const locked = await call('POST', '/api/login', { body: { token: ADMIN_TOKEN } });
  t.is(locked.status, 429);
  t.is((await locked.json() as { error: string }).error, 'TooManyLoginAttempts');
  t.true(Number(locked.headers.get('retry-after')) > 0);
  t.like((await gateway.deps.store.listAdminAudit({ limit: 1 }))[0], { action: 'login', outcome: 'throttled' });
  // More attempts during the lockout are refused too, and write no more audit rows.
  const rowsBefore = (await gateway.deps.store.listAdminAudit({ limit: 1000 })).length;
  for (let attempt = 0; attempt < 5; attempt++) t.is((await call('POST', '/api/login', { body: { token: ADMIN_TOKEN } })).status, 429);
  t.is((await gateway.deps.store.listAdminAudit({ limit: 1000 })).length, rowsBefore, 'one audit row per lockout');
});

test.serial('--console-listen is off by default and must be host:port', (t) => {
  const { config } = loadGatewayConfig(['--master-key-file', '/tmp/x.key'], {});
  t.is(config.consoleListen, null);
  t.deepEqual(loadGatewayConfig([], { SHARDGATE_CONSOLE_LISTEN: '[::1]:9001' }).config.consoleListen, { host: '::1', port: 9001 });
  for (const bad of ['9001', 'localhost:', 'host:99999', 'http://x:1']) {
    t.throws(() => loadGatewayConfig(['--console-listen', bad], {}), { instanceOf: ConfigError }, bad);
  }
});

function s3Client(accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({ endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}
