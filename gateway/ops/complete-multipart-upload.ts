import { createHash } from 'node:crypto';
import { NoSuchUploadError, PartMismatchError } from '../../src/meta/multipart-errors.ts';
import type { MultipartUpload, UploadedPart } from '../../src/meta/multipart-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { completeMultipartUploadResultXml } from '../../src/s3/xml-multipart.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseCompleteRequest, planCompletion, type CompletionPlan } from '../multipart/completion.ts';
import { noSuchUpload, requireUpload } from '../multipart/upload-access.ts';
import { readVerifiedBody } from './verified-body.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { existingObjectKeys, requestCustomerKey } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { xmlResponse } from './responses.ts';

/** 10,000 parts with ETags and SHA-256 checksums fit with room to spare. */
const MAX_COMPLETE_BODY_BYTES = 2 * 1024 * 1024;
const PARTS_PAGE = 1000;

/**
 * CompleteMultipartUpload: the listed parts are checked against the uploaded ones in one ordered
 * walk (a page of parts at a time), then one metadata transaction makes the object out of their
 * segments — no byte is read or moved. Parts not listed are released (their shards collected).
 */
export async function completeMultipartUpload(request: S3Request): Promise<Response> {
  const { deps, c } = request;
  const bucket = await authorizeBucket(request);
  const upload = await requireUpload(request, bucket).catch(async (error: unknown) => {
    // A retried Complete (the client missed the first answer) gets the first one's result, as on S3.
    const completed = await completedBefore(request, bucket.name, request.query.get('uploadId') ?? '');
    if (completed) return completed;
    throw error;
  });
  if (upload instanceof Response) return upload;
  // An SSE-C upload's key is optional here (S3 needs it only with checksums), but a wrong one is refused.
  const customerKey = upload.headers.encryption?.mode === 'sse-c' && requestCustomerKey(request) === null
    ? null
    : existingObjectKeys(request, upload.headers.encryption).customerKey;
  const body = await readVerifiedBody(request, { maxBytes: MAX_COMPLETE_BODY_BYTES, checksumDescribesBody: false });
  const requested = parseCompleteRequest(await parseXmlBody(body));
  const checksum = upload.checksumAlgorithm !== null && upload.checksumType !== null
    ? { algorithm: upload.checksumAlgorithm, type: upload.checksumType }
    : null;
  const plan = await planCompletion(requested, uploadedParts(deps.store, upload.uploadId), checksum);
  checkClaimedChecksum(upload, plan, (name) => c.req.header(name));

  const object = {
    ...upload.headers,
    bucket: bucket.name,
    key: request.key,
    versionId: versionIdOfUpload(upload.uploadId),
    size: plan.size,
    etag: plan.etag,
    checksums: plan.checksums,
    // S3: "for multipart uploads, the object creation date is the date of initiation".
    createdAt: upload.initiatedAt,
  };
  try {
    await deps.store.completeMultipartUpload({ uploadId: upload.uploadId, object, parts: plan.parts });
  } catch (error) {
    if (error instanceof NoSuchUploadError) throw noSuchUpload(upload.uploadId);
    if (error instanceof PartMismatchError) {
      throw new S3Error('InvalidPart', { message: `Part ${error.partNumber} was uploaded again while the upload was completing.` });
    }
    throw error;
  }
  deps.metrics.objectsWritten++;
  deps.janitor.kick();
  return completionResponse(request, bucket.name, {
    etag: plan.etag, checksums: plan.checksums, checksumType: upload.checksumType, encryption: upload.headers.encryption,
  }, customerKey);
}

/**
 * The version id a completed upload gives its object: derived from the upload id (unique, random),
 * so a retried Complete can tell that the key's current version is the one this upload made.
 */
function versionIdOfUpload(uploadId: string): string {
  return createHash('sha256').update(`shardgate-multipart-version\n${uploadId}`).digest('hex').slice(0, 32);
}

/** The answer to a Complete of an upload that already made the key's current version; null otherwise. */
async function completedBefore(request: S3Request, bucket: string, uploadId: string): Promise<Response | null> {
  if (uploadId === '') return null;
  const current = await request.deps.store.getObject(bucket, request.key);
  if (current?.versionId !== versionIdOfUpload(uploadId)) return null;
  // As HEAD says it: a checksum of checksums (`…-N`) is COMPOSITE, any other FULL_OBJECT.
  const first = Object.values(current.checksums)[0];
  const checksumType = first === undefined ? null : /-\d+$/.test(first) ? 'COMPOSITE' : 'FULL_OBJECT';
  return completionResponse(request, bucket, { etag: current.etag, checksums: current.checksums, checksumType, encryption: current.encryption }, null);
}

function completionResponse(
  request: S3Request,
  bucket: string,
  result: { etag: string; checksums: Record<string, string>; checksumType: MultipartUpload['checksumType']; encryption: MultipartUpload['headers']['encryption'] },
  customerKey: ReturnType<typeof existingObjectKeys>['customerKey'],
): Response {
  const location = `${new URL(request.c.req.url).origin}/${encodeURIComponent(bucket)}/${request.key.split('/').map(encodeURIComponent).join('/')}`;
  const response = xmlResponse(completeMultipartUploadResultXml({
    location,
    bucket,
    key: request.key,
    etag: result.etag,
    checksums: result.checksums,
    checksumType: Object.keys(result.checksums).length > 0 ? result.checksumType ?? undefined : undefined,
  }));
  const sseHeaders = { ...sseS3ResponseHeaders(result.encryption), ...customerKeyResponseHeaders(customerKey) };
  for (const [name, value] of Object.entries(sseHeaders)) response.headers.set(name, value);
  return response;
}

/** The upload's parts in part-number order, a page at a time. */
async function* uploadedParts(store: MetaStore, uploadId: string): AsyncGenerator<UploadedPart> {
  for (let after = 0; ;) {
    const page = await store.listParts(uploadId, { after, maxParts: PARTS_PAGE }).catch((error: unknown) => {
      throw error instanceof NoSuchUploadError ? noSuchUpload(uploadId) : error;
    });
    yield* page.parts;
    if (!page.isTruncated || page.nextAfter === null) return;
    after = page.nextAfter;
  }
}

/**
 * A whole-object checksum the client sends with Complete (`x-amz-checksum-<algorithm>`, and
 * `x-amz-checksum-type`) must be the upload's: InvalidRequest for another type, BadDigest for
 * another value.
 */
function checkClaimedChecksum(upload: MultipartUpload, plan: CompletionPlan, header: (name: string) => string | undefined): void {
  const claimedType = header('x-amz-checksum-type')?.trim().toUpperCase();
  if (claimedType !== undefined && claimedType !== upload.checksumType) {
    throw new S3Error('InvalidRequest', {
      message: `The upload was created using the ${upload.checksumType ?? 'no'} checksum mode. The complete request specified the ${claimedType} mode.`,
    });
  }
  const algorithm = upload.checksumAlgorithm;
  const claimed = algorithm === null ? undefined : header(`x-amz-checksum-${algorithm}`)?.trim();
  const actual = algorithm === null ? undefined : plan.checksums[algorithm];
  if (claimed !== undefined && actual !== undefined && claimed !== actual && claimed !== actual.replace(/-\d+$/, '')) {
    throw new S3Error('BadDigest', { message: `The ${algorithm!.toUpperCase()} you specified did not match the calculated checksum.` });
  }
}
