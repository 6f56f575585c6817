/**
 * Every gateway endpoint that reads a body bounds it: `/_/` routes (registration, heartbeats,
 * admin) answer 413 without reading past the limit, S3 XML operations and PutObject refuse an
 * oversized declared length with S3's EntityTooLarge before reading it; and 256 MB registration
 * bodies are answered 413 while almost all of them is still unsent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CreateBucketCommand, CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { silentLogger } from '../src/log/logger.ts';
import { createApp, MAX_EXTENSION_BODY_BYTES } from '../gateway/app.ts';
import { loadGatewayConfig } from '../gateway/config.ts';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { startGateway, type RunningGateway } from '../gateway/main.ts';
import { startCluster } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

const OVER = MAX_EXTENSION_BODY_BYTES + 1;

async function inProcessGateway(t: ExecutionContext): Promise<RunningGateway> {
  const root = mkdtempSync(path.join(tmpdir(), 'shardgate-limits-'));
  const dataDir = path.join(root, 'gateway');
  const masterKeyFile = path.join(root, 'master.key');
  ensureMasterKeyFile(masterKeyFile);
  const { config } = loadGatewayConfig(['--port', '0', '--data-dir', dataDir, '--log-requests', 'false', '--master-key-file', masterKeyFile], {});
  const gateway = await startGateway(config, silentLogger);
  t.teardown(async () => {
    await gateway.close();
    rmSync(root, { recursive: true, force: true });
  });
  return gateway;
}

/** A body of `total` zero bytes pulled in 64 KiB pieces, never held whole. */
function zeros(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const length = Math.min(65_536, total - sent);
      sent += length;
      controller.enqueue(new Uint8Array(length));
    },
  });
}

const EXTENSION_ROUTES: readonly [string, (gateway: RunningGateway) => Record<string, string>][] = [
  ['/_/nodes/register', () => ({})],
  ['/_/nodes/heartbeat', () => ({})],
  ['/_/admin/keys', (gateway) => ({ authorization: `Bearer ${gateway.credentials.adminToken}` })],
  ['/_/admin/no-such-route', (gateway) => ({ authorization: `Bearer ${gateway.credentials.adminToken}` })],
];

test('every /_/ route refuses a body over the limit with 413, declared or chunked', async (t) => {
  const gateway = await inProcessGateway(t);
  const app = createApp(gateway.deps);
  for (const [route, headersFor] of EXTENSION_ROUTES) {
    const headers = { 'content-type': 'application/json', ...headersFor(gateway) };
    const declared = await app.request(route, { method: 'POST', headers: { ...headers, 'content-length': String(OVER) }, body: zeros(OVER), duplex: 'half' } as RequestInit);
    t.is(declared.status, 413, `${route} with Content-Length ${OVER}`);
    t.like(await declared.json(), { error: 'PayloadTooLarge' });
    const chunked = await app.request(route, { method: 'POST', headers, body: zeros(256 << 20), duplex: 'half' } as RequestInit);
    t.is(chunked.status, 413, `${route} chunked`);
  }
  // Within the limit the routes still work.
  const created = await app.request('/_/admin/keys', {
    method: 'POST', headers: { authorization: `Bearer ${gateway.credentials.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ account: 'alice' }),
  });
  t.is(created.status, 201);
  t.is((await app.request('/_/nodes/register', { method: 'POST', body: '{}' })).status, 400);
});

test('S3 operations that read a body refuse an oversized declared length with EntityTooLarge before reading it', async (t) => {
  const gateway = await inProcessGateway(t);
  const credentials = { accessKeyId: gateway.credentials.accessKeyId, secretAccessKey: gateway.credentials.secretKey };
  const s3 = new S3Client({ endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
  t.teardown(() => s3.destroy());
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bkt', Key: 'mp' }));
  const md5 = { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' };
  const cases: [string, string, string, Record<string, string>][] = [
    ['CreateBucket', 'PUT', '/other', {}],
    ['PutBucketAcl', 'PUT', '/bkt?acl=', {}],
    ['PutBucketCors', 'PUT', '/bkt?cors=', md5],
    ['PutBucketTagging', 'PUT', '/bkt?tagging=', md5],
    ['DeleteObjects', 'POST', '/bkt?delete=', md5],
    ['CompleteMultipartUpload', 'POST', `/bkt/mp?uploadId=${UploadId}`, {}],
    ['PutObject', 'PUT', '/bkt/huge', {}],
  ];
  for (const [operation, method, target, extra] of cases) {
    const declared = operation === 'PutObject' ? 5 * 1024 ** 3 + 1 : 16 * 1024 * 1024;
    const headers = await signedHeaders({ gatewayUrl: gateway.url, credentials }, method, target, { ...extra, 'content-length': String(declared) });
    const answer = await sendDeclaredOnly(`${gateway.url}${target}`, method, headers);
    t.is(answer.status, 400, operation);
    t.regex(answer.body, /<Code>EntityTooLarge<\/Code>/, operation);
  }
});

/** Sends the headers of a request whose body is never sent, and returns the answer. */
function sendDeclaredOnly(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const pending = request(url, { method, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (text: string) => { body += text; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    pending.on('error', reject);
    pending.flushHeaders();
  });
}

/**
 * Announces a body of `total` bytes — by Content-Length, or chunked — sends only what the limit
 * needs to be crossed (nothing for a declared length, 1 MiB when chunked), then waits for the
 * answer without sending more: a gateway that buffered bodies before answering would never answer
 * (the test times out); one that refuses early answers 413 at once. Pushing all 256 MB would race
 * the adapter closing the refused connection (the client then gets EPIPE before reading the 413).
 */
function streamUntilAnswered(url: string, total: number, declared: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (declared) headers['content-length'] = String(total);
    const upload = request(url, { method: 'POST', headers, agent: false }, (response) => {
      answered = true;
      resolve(response.statusCode ?? 0);
      response.resume();
      upload.destroy();
    });
    upload.on('error', (error) => { if (!answered) reject(error); });
    if (declared) upload.flushHeaders();
    else upload.write(Buffer.alloc(1024 * 1024));
  });
}

test('256 MB registration bodies are refused with 413 before the gateway reads them (declared: on the headers; chunked: past the limit)', async (t) => {
  const cluster = await startCluster(t, { nodes: 0 });
  const register = `${cluster.gatewayUrl}/_/nodes/register`;
  const size = 256 * 1024 * 1024;
  t.is(await streamUntilAnswered(register, size, true), 413, 'declared');
  t.is(await streamUntilAnswered(register, size, false), 413, 'chunked');
  t.deepEqual(await Promise.all([0, 1, 2, 3].map((i) => streamUntilAnswered(register, size, i % 2 === 0))), [413, 413, 413, 413]);
});
