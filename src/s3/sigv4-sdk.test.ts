import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SigV4Verifier, type SigV4Request } from './sigv4.ts';
import { rejection } from '../testing/s3-rejection.ts';

// Real requests from @aws-sdk/client-s3, captured by a throwaway server on 127.0.0.1:0 and
// verified as the gateway will verify them.

const KEY = 'AKIDSHARDGATE';
const SECRET = 'shardgate-test-secret/with+symbols';

function verifierFor(secrets: Record<string, string>) {
  return new SigV4Verifier({ lookupSecret: async (id) => secrets[id] ?? null, region: 'us-east-1' });
}
const verifier = verifierFor({ [KEY]: SECRET });

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

async function captureServer(t: { teardown(fn: () => void): void }) {
  const requests: Captured[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(parts) });
      const isList = req.url!.includes('list-type=2');
      res.setHeader('content-type', 'application/xml');
      res.end(
        isList
          ? '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>'
          : 'ok',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
  });
  t.teardown(() => client.destroy());
  return { endpoint, client, requests };
}

function asSigV4Request(captured: Captured, now = new Date()): SigV4Request {
  const queryAt = captured.url.indexOf('?');
  return {
    method: captured.method,
    rawPath: queryAt < 0 ? captured.url : captured.url.slice(0, queryAt),
    query: queryAt < 0 ? '' : captured.url.slice(queryAt + 1),
    headers: captured.headers,
    now,
  };
}

const sdkKeys = ['a b/ü+%.txt', "!$&'()*+,;=:@ ~[]{}^`|\\\"<>#?.bin", 'dir//double/./dot/../x', '日本語/😀/é', 'plain.txt'];

test('real SDK requests verify; a one-character change of secret fails every one', async (t) => {
  const { client, requests } = await captureServer(t);
  for (const key of sdkKeys) {
    await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: Buffer.from(`body of ${key}`) }));
  }
  await client.send(
    new PutObjectCommand({ Bucket: 'bucket', Key: 'a b/stream ü.bin', Body: Readable.from([Buffer.from('abc'), Buffer.from('defgh')]), ContentLength: 8 }),
  );
  const object = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a b/ü+%.txt', Range: 'bytes=0-9' }));
  await object.Body!.transformToString();
  await client.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a b/ü ~*+%', Delimiter: '/', StartAfter: 'a+b c' }));

  t.is(requests.length, sdkKeys.length + 3);
  const wrongSecret = verifierFor({ [KEY]: SECRET.slice(0, -1) + 'x' });
  const modes = new Set<string>();
  for (const captured of requests) {
    const auth = await verifier.verify(asSigV4Request(captured));
    modes.add(auth.payloadMode);
    t.is(auth.accessKeyId, KEY, captured.url);
    const error = await rejection(wrongSecret.verify(asSigV4Request(captured)));
    t.is(error.code, 'SignatureDoesNotMatch', captured.url);
  }
  t.deepEqual([...modes].sort(), ['signed', 'streaming-unsigned-trailer']);
  const get = requests.find((captured) => captured.method === 'GET' && captured.headers.range !== undefined)!;
  t.is(get.headers.range, 'bytes=0-9');
  const list = requests.find((captured) => captured.url.includes('list-type=2'))!;
  t.true(list.url.includes('%C3%BC'));
});

test('real SDK requests: replayed after 16 minutes → RequestTimeTooSkewed', async (t) => {
  const { client, requests } = await captureServer(t);
  await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: Buffer.from('x') }));
  const later = new Date(Date.now() + 16 * 60 * 1000);
  t.is((await rejection(verifier.verify(asSigV4Request(requests[0]!, later)))).code, 'RequestTimeTooSkewed');
});

test('presigned URLs made by the SDK signer verify when fetched; tampered or expired ones do not', async (t) => {
  const { endpoint, client, requests } = await captureServer(t);
  const port = Number(new URL(endpoint).port);
  const signer = await (client.config.signer as unknown as () => Promise<{
    presign(request: unknown, options: { expiresIn: number }): Promise<{ query: Record<string, string> }>;
  }>)();
  const path = '/bucket/a%20b/%C3%BC%2B%25.txt';
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path,
      query: { 'x-id': 'GetObject' },
      headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: 900 },
  );
  const url = `${endpoint}${path}?${new URLSearchParams(presigned.query).toString()}`;
  await (await fetch(url)).text();
  await (await fetch(url.replace('x-id=GetObject', 'x-id=PutObject'))).text();
  const [good, tampered] = requests.map((captured) => asSigV4Request(captured));
  const auth = await verifier.verify(good!);
  t.is(auth.kind, 'presigned');
  t.is(auth.payloadMode, 'unsigned');
  t.is((await rejection(verifier.verify(tampered!))).code, 'SignatureDoesNotMatch');
  const expired = await rejection(verifier.verify({ ...good!, now: new Date(Date.now() + 901_000) }));
  t.is(expired.message, 'Request has expired');
});
