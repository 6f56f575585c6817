/**
 * Copies that re-encrypt bytes can outlast a client's read timeout, so past
 * `--keep-alive-interval` the gateway answers 200 at once and sends spaces until the result (as
 * S3 does): the document that follows is the result, or an `<Error>` that the SDK reports as the
 * failure. The cluster uses a 1 ms interval so every byte copy takes the long path.
 */
import { randomBytes, createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import test from 'ava';
import { CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCopyCommand, AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, s3ErrorOf, seededBytes, startCluster } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

const customerKey = randomBytes(32);
const sseC = {
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: customerKey.toString('base64'),
  SSECustomerKeyMD5: createHash('md5').update(customerKey).digest('base64'),
};
const sseCHeaders = {
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-server-side-encryption-customer-key': sseC.SSECustomerKey,
  'x-amz-server-side-encryption-customer-key-md5': sseC.SSECustomerKeyMD5,
};

test('a long re-encrypting copy answers 200, sends spaces, then its result; a failure after the 200 is an <Error> the SDK throws', async (t) => {
  const cluster = await startCluster(t, { chunkSize: 16 * 1024, maxSegmentSize: 256 * 1024, gatewayArgs: ['--allow-insecure-ssec', '--keep-alive-interval', '1'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(3 * 1024 * 1024 + 17, 5);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'source', Body: body }));

  // SSE-S3 → SSE-C re-encrypts; the raw response shows the keep-alive form.
  const credentials = await s3.config.credentials();
  const headers = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', '/bkt/raw-copy', { 'x-amz-copy-source': '/bkt/source', ...sseCHeaders });
  const raw = await fetch(`${cluster.gatewayUrl}/bkt/raw-copy`, { method: 'PUT', headers });
  t.is(raw.status, 200);
  t.is(raw.headers.get('x-amz-server-side-encryption-customer-algorithm'), 'AES256');
  t.regex(await raw.text(), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n +\n<CopyObjectResult[^>]*>.*<ETag>/s);
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'raw-copy', ...sseC } as never)).equals(body));

  // The SDK reads the same form as a plain result, for CopyObject and UploadPartCopy.
  const copied = await s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'sdk-copy', CopySource: 'bkt/source', ...sseC }));
  t.truthy(copied.CopyObjectResult?.ETag);
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bkt', Key: 'parts', ...sseC }));
  const part = await s3.send(new UploadPartCopyCommand({ Bucket: 'bkt', Key: 'parts', UploadId: upload.UploadId, PartNumber: 1, CopySource: 'bkt/source', ...sseC }));
  t.truthy(part.CopyPartResult?.ETag);
  await s3.send(new AbortMultipartUploadCommand({ Bucket: 'bkt', Key: 'parts', UploadId: upload.UploadId }));

  // A source that cannot be read (its shards gone from three of six nodes): the 200 is already
  // out when the read fails, so the document is an <Error>, and no destination object appears.
  const before = cluster.allShardFiles();
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'doomed', Body: seededBytes(600 * 1024, 6) }));
  const doomedFiles = [...cluster.allShardFiles()].filter((file) => !before.has(file));
  for (const node of cluster.nodes.slice(0, 3)) {
    for (const file of doomedFiles) if (file.startsWith(node.dataDir)) unlinkSync(file);
  }
  const failedHeaders = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', '/bkt/failed-copy', { 'x-amz-copy-source': '/bkt/doomed', ...sseCHeaders });
  const failed = await fetch(`${cluster.gatewayUrl}/bkt/failed-copy`, { method: 'PUT', headers: failedHeaders });
  t.is(failed.status, 200);
  t.regex(await failed.text(), /^<\?xml[^>]*>\n *\n<Error><Code>ServiceUnavailable<\/Code>/);
  const thrown = await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'failed-copy', CopySource: 'bkt/doomed', ...sseC })));
  t.is(thrown.name, 'ServiceUnavailable');
  t.is((await s3ErrorOf(t, getObjectBytes(s3, { Bucket: 'bkt', Key: 'failed-copy', ...sseC } as never))).name, 'NoSuchKey');
  t.regex(cluster.gateway.output(), /"failed_after_keep_alive"/);
});
