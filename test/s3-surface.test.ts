/**
 * Edges of the S3 surface that real clients hit (issue 13): ListBuckets pagination, bucket names
 * S3 refuses, an empty continuation token, checksum and digest error codes.
 */
import test from 'ava';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand,
  ListObjectsV2Command, PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { signRequest } from '../src/archive/s3-request-signer.ts';
import { EMPTY_SHA256_HEX } from '../src/s3/sigv4-canonical.ts';
import { s3ErrorOf } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const cluster = useSharedCluster(test, { nodes: 6, chunkSize: 4096 });

test.serial('ListBuckets pages with max-buckets, continuation-token and prefix', async (t) => {
  const s3 = cluster().s3();
  const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e', 'other-x'];
  for (const Bucket of names) await s3.send(new CreateBucketCommand({ Bucket }));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'page-', ContinuationToken: token }));
    t.true((page.Buckets ?? []).length <= 2);
    seen.push(...(page.Buckets ?? []).map((bucket) => bucket.Name!));
    t.is(page.Prefix, 'page-');
    token = page.ContinuationToken;
    pages++;
  } while (token !== undefined && pages < 10);
  t.deepEqual(seen, ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
  t.is(pages, 3);
  const all = await s3.send(new ListBucketsCommand({}));
  t.deepEqual(all.Buckets?.map((bucket) => bucket.Name).filter((name) => names.includes(name!)), ['other-x', ...names.slice(0, 5)]);
  t.is(all.ContinuationToken, undefined);
  t.like(await s3ErrorOf(t, s3.send(new ListBucketsCommand({ MaxBuckets: 0 }))), { name: 'InvalidArgument', status: 400 });
  t.like(await s3ErrorOf(t, s3.send(new ListBucketsCommand({ ContinuationToken: '!!not-a-token' }))), { name: 'InvalidArgument', status: 400 });
});

test.serial('bucket names with a period next to a hyphen are refused as S3 refuses them', async (t) => {
  const s3 = cluster().s3();
  for (const Bucket of ['bad-.name', 'bad.-name']) {
    t.like(await s3ErrorOf(t, s3.send(new CreateBucketCommand({ Bucket }))), { name: 'InvalidBucketName', status: 400 }, Bucket);
  }
  await s3.send(new CreateBucketCommand({ Bucket: 'good.name-ok' }));
  t.pass();
});

test.serial('ListObjectsV2 with an empty continuation-token lists from the start', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'empty-token' }));
  await s3.send(new PutObjectCommand({ Bucket: 'empty-token', Key: 'k1', Body: 'one' }));
  // The SDK leaves an empty token out; a raw signed request shows what the gateway does with it.
  const response = await signedGet(`/empty-token?list-type=2&continuation-token=`);
  const text = await response.text();
  t.is(response.status, 200, text);
  t.regex(text, /<Key>k1<\/Key>/);
});

test.serial('a checksum that does not match the body is BadDigest; a malformed Content-MD5 is InvalidDigest', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'digests' }));
  const wrongSha256 = createHash('sha256').update('something else').digest('base64');
  t.like(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'digests', Key: 'a', Body: 'hello', ChecksumSHA256: wrongSha256 }))), { name: 'BadDigest', status: 400 });
  t.like(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'digests', Key: 'b', Body: 'hello', ChecksumCRC64NVME: 'AAAAAAAAAAA=' }))), { name: 'BadDigest', status: 400 });
  t.like(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'digests', Key: 'c', Body: 'hello', ContentMD5: 'not-an-md5' }))), { name: 'InvalidDigest', status: 400 });
  const wrongMd5 = createHash('md5').update('other').digest('base64');
  t.like(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'digests', Key: 'd', Body: 'hello', ContentMD5: wrongMd5 }))), { name: 'BadDigest', status: 400 });
});

/** A GET signed with the project's own SigV4 signer (the one `archive pack --upload` uses). */
async function signedGet(pathWithQuery: string): Promise<Response> {
  const { gatewayUrl, accessKeyId, secretKey } = cluster();
  const url = new URL(pathWithQuery, gatewayUrl);
  const headers = signRequest({
    method: 'GET', url, headers: {}, payloadHash: EMPTY_SHA256_HEX, now: new Date(),
    endpoint: { url: gatewayUrl, region: 'us-east-1', accessKeyId, secretAccessKey: secretKey },
  });
  return fetch(url, { headers });
}

/** A raw PUT with `Expect`: whether the gateway sent `100 Continue`, and its final status. */
function putExpecting(expect: string, headers: Record<string, string>, body: Buffer, path: string): Promise<{ continued: boolean; status: number; text: string }> {
  const url = new URL(path, cluster().gatewayUrl);
  return new Promise((resolve, reject) => {
    let continued = false;
    const request = httpRequest(url, { method: 'PUT', headers: { ...headers, expect: expect, 'content-length': String(body.length) } });
    request.on('continue', () => {
      continued = true;
      request.end(body);
    });
    request.on('response', (response) => {
      const pieces: Buffer[] = [];
      response.on('data', (piece: Buffer) => pieces.push(piece));
      response.on('end', () => resolve({ continued, status: response.statusCode ?? 0, text: Buffer.concat(pieces).toString() }));
    });
    request.on('error', reject);
    if (expect !== '100-continue') request.end(body);
    else request.flushHeaders();
  });
}

function signedPutHeaders(path: string, body: Buffer, secretKey = cluster().secretKey): Record<string, string> {
  const { gatewayUrl, accessKeyId } = cluster();
  return signRequest({
    method: 'PUT', url: new URL(path, gatewayUrl), headers: {}, payloadHash: createHash('sha256').update(body).digest('hex'), now: new Date(),
    endpoint: { url: gatewayUrl, region: 'us-east-1', accessKeyId, secretAccessKey: secretKey },
  });
}

test.serial('Expect: 100-continue invites the body only after authentication; other Expect values are ignored', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'expect' }));
  const body = Buffer.from('a body worth waiting for');
  const refused = await putExpecting('100-continue', signedPutHeaders('/expect/denied', body, 'wrong-secret'), body, '/expect/denied');
  t.false(refused.continued, 'an unauthenticated client must not be invited to send its body');
  t.is(refused.status, 403);
  t.regex(refused.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  const accepted = await putExpecting('100-continue', signedPutHeaders('/expect/ok', body), body, '/expect/ok');
  t.true(accepted.continued);
  t.is(accepted.status, 200, accepted.text);
  const odd = await putExpecting('something-else', signedPutHeaders('/expect/odd', body), body, '/expect/odd');
  t.is(odd.status, 200, odd.text);
  for (const key of ['ok', 'odd']) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'expect', Key: key }));
    t.is(await got.Body!.transformToString(), body.toString());
  }
});

test.serial('non-ASCII user metadata: signed as UTF-8 bytes, RFC 2047 input decoded, returned RFC 2047-encoded', async (t) => {
  const target = cluster();
  const s3 = target.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'unicode-meta' }));
  // As curl or the Go SDK send it: the header's bytes are UTF-8, and the signature covers that text.
  const body = Buffer.from('x');
  const path = '/unicode-meta/raw-utf8';
  const signed = signRequest({
    method: 'PUT', url: new URL(path, target.gatewayUrl), headers: { 'x-amz-meta-city': 'Zürich 日本' },
    payloadHash: createHash('sha256').update(body).digest('hex'), now: new Date(),
    endpoint: { url: target.gatewayUrl, region: 'us-east-1', accessKeyId: target.accessKeyId, secretAccessKey: target.secretKey },
  });
  const status = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const headers = { ...signed, 'x-amz-meta-city': Buffer.from('Zürich 日本', 'utf8').toString('latin1'), 'content-length': String(body.length) };
    const request = httpRequest(new URL(path, target.gatewayUrl), { method: 'PUT', headers }, (response) => {
      const pieces: Buffer[] = [];
      response.on('data', (piece: Buffer) => pieces.push(piece));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(pieces).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
  t.is(status.status, 200, status.text);
  const decode = (value: string | undefined) => {
    const match = /^=\?UTF-8\?B\?(.*)\?=$/.exec(value ?? '');
    return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
  };
  const raw = await s3.send(new HeadObjectCommand({ Bucket: 'unicode-meta', Key: 'raw-utf8' }));
  t.regex(raw.Metadata?.city ?? '', /^=\?UTF-8\?B\?/);
  t.is(decode(raw.Metadata?.city), 'Zürich 日本');

  // As the JS SDK sends it (Node writes latin1), and as an RFC 2047 encoded-word.
  const encoded = `=?UTF-8?B?${Buffer.from('naïve 日本', 'utf8').toString('base64')}?=`;
  await s3.send(new PutObjectCommand({ Bucket: 'unicode-meta', Key: 'sdk', Body: 'y', Metadata: { city: 'Zürich', word: encoded, plain: 'ascii' } }));
  const sdk = await s3.send(new HeadObjectCommand({ Bucket: 'unicode-meta', Key: 'sdk' }));
  t.is(decode(sdk.Metadata?.city), 'Zürich');
  t.is(decode(sdk.Metadata?.word), 'naïve 日本');
  t.is(sdk.Metadata?.plain, 'ascii');
});

test.serial('conditional deletes: If-Match on DeleteObject and <ETag> per key in DeleteObjects', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'conditional-deletes' }));
  const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: 'conditional-deletes', Key, Body }));
  const exists = async (Key: string) => s3.send(new HeadObjectCommand({ Bucket: 'conditional-deletes', Key })).then(() => true, () => false);
  const { ETag } = await put('kept', 'one');
  t.deepEqual(await s3ErrorOf(t, s3.send(new DeleteObjectCommand({ Bucket: 'conditional-deletes', Key: 'kept', IfMatch: '"0123456789abcdef0123456789abcdef"' }))),
    { name: 'PreconditionFailed', status: 412 });
  t.true(await exists('kept'), 'a failed condition deletes nothing');
  t.deepEqual(await s3ErrorOf(t, s3.send(new DeleteObjectCommand({ Bucket: 'conditional-deletes', Key: 'never-written', IfMatch: '*' }))),
    { name: 'NoSuchKey', status: 404 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new DeleteObjectCommand({ Bucket: 'conditional-deletes', Key: 'kept', IfMatchSize: 3 }))),
    { name: 'NotImplemented', status: 501 });
  await s3.send(new DeleteObjectCommand({ Bucket: 'conditional-deletes', Key: 'kept', IfMatch: ETag }));
  t.false(await exists('kept'));
  await put('any', 'two');
  await s3.send(new DeleteObjectCommand({ Bucket: 'conditional-deletes', Key: 'any', IfMatch: '*' }));
  t.false(await exists('any'));

  const a = await put('a', 'aaa');
  await put('b', 'bbb');
  const result = await s3.send(new DeleteObjectsCommand({ Bucket: 'conditional-deletes', Delete: { Objects: [
    { Key: 'a', ETag: a.ETag }, { Key: 'b', ETag: a.ETag }, { Key: 'c', ETag: a.ETag }, { Key: 'd' },
  ] } }));
  t.deepEqual(result.Deleted?.map((d) => d.Key).sort(), ['a', 'd']);
  t.deepEqual(result.Errors?.map((e) => [e.Key, e.Code]).sort(), [['b', 'PreconditionFailed'], ['c', 'NoSuchKey']]);
  t.false(await exists('a'));
  t.true(await exists('b'));
});

test.serial('write headers of features shardgate lacks are NotImplemented, never silently dropped', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'unsupported-headers' }));
  const put = (extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>) =>
    s3.send(new PutObjectCommand({ Bucket: 'unsupported-headers', Key: 'k', Body: 'x', ...extra }));
  t.deepEqual(await s3ErrorOf(t, put({ StorageClass: 'GLACIER' })), { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, put({ WebsiteRedirectLocation: '/elsewhere' })), { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, put({ ObjectLockLegalHoldStatus: 'ON' })), { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new HeadObjectCommand({ Bucket: 'unsupported-headers', Key: 'k' }))), { name: 'NotFound', status: 404 }, 'nothing was stored');
  await put({ StorageClass: 'STANDARD' });
  t.deepEqual(await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'unsupported-headers', Key: 'c', CopySource: 'unsupported-headers/k', WebsiteRedirectLocation: '/elsewhere' }))),
    { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new CreateMultipartUploadCommand({ Bucket: 'unsupported-headers', Key: 'm', StorageClass: 'GLACIER' }))),
    { name: 'NotImplemented', status: 501 });
});
