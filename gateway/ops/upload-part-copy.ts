import { NoSuchUploadError, SegmentGoneError } from '../../src/meta/multipart-errors.ts';
import type { MultipartUpload, UploadedPart } from '../../src/meta/multipart-types.ts';
import type { Bucket, ObjectVersion, SegmentRecord } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parseCopySourceRange } from '../../src/s3/range.ts';
import { copyPartResultXml } from '../../src/s3/xml-copy-delete.ts';
import type { Span } from '../../src/span.ts';
import { checkCopySourceConditions } from '../objects/conditions.ts';
import { CopyDigests } from '../copy/copy-digests.ts';
import { requireCopySource } from '../copy/copy-source.ts';
import { abortOnHangUp } from '../copy/request-abort.ts';
import { parsePartNumber } from '../multipart/part-number.ts';
import { observed, storePart } from '../multipart/part-writer.ts';
import { noSuchUpload, requireUpload } from '../multipart/upload-access.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { S3Request } from '../s3-request.ts';
import { MAX_PUT_BYTES } from '../write/request-body.ts';
import type { SegmentKeyOpener, SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import { customerKeyResponseHeaders, partEtag, type CustomerKey } from '../sse/customer-key-headers.ts';
import { existingObjectKeys } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { keepAliveXmlResponse } from './keep-alive-response.ts';

interface PartCopy {
  readonly request: S3Request;
  readonly bucket: Bucket;
  readonly upload: MultipartUpload;
  readonly partNumber: number;
  readonly version: ObjectVersion;
  readonly span: Span;
  readonly signal: AbortSignal;
  /** Opens the source (its SSE-C key from the copy-source headers, or the master keys). */
  readonly sourceKeys: SegmentKeyOpener;
  /** Seals the part's new segments (the upload's SSE-C key, or the master keys). */
  readonly partKeys: SegmentKeySealer;
  readonly partCustomerKey: CustomerKey | null;
}

/**
 * UploadPartCopy: a range (`x-amz-copy-source-range`, else the whole object) of another object
 * becomes a part.
 *
 * When the range is exactly a run of the source's whole segments, the part shares them (one more
 * reference each, no shard written). Its ETag must still be the MD5 of the bytes, so the range is
 * read once to compute it (verified, no decoding on a healthy read) — unless the range is the
 * whole of a single-part source, whose ETag already is that MD5. Any other range, or a source
 * encrypted otherwise than the upload, is copied: read (decrypted) and written (encrypted) as a
 * new part through the ordinary read and write paths.
 */
export async function uploadPartCopy(request: S3Request): Promise<Response> {
  const header = (name: string) => request.c.req.header(name);
  const bucket = await authorizeBucket(request);
  const partNumber = parsePartNumber(request.query.get('partNumber'));
  const upload = await requireUpload(request, bucket);
  const { version } = await requireCopySource(request);
  const source = existingObjectKeys(request, version.encryption, 'copy-source');
  const destination = existingObjectKeys(request, upload.headers.encryption);
  checkCopySourceConditions(version, header);
  const rangeHeader = header('x-amz-copy-source-range');
  const span = rangeHeader === undefined ? { offset: 0, length: version.size } : parseCopySourceRange(rangeHeader, version.size);
  if (span.length > MAX_PUT_BYTES) {
    throw new S3Error('InvalidRequest', {
      message: `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}`,
    });
  }
  const hangUp = abortOnHangUp(request.c);
  const copy: PartCopy = {
    request, bucket, upload, partNumber, version, span, signal: hangUp.signal,
    sourceKeys: source.keys, partKeys: destination.keys, partCustomerKey: destination.customerKey,
  };
  const copying = (async () => {
    const segments = await request.deps.store.getSegments(version.versionId, span);
    // Segments are shared only between objects encrypted the same way: a source stored in the
    // clear (written before encryption) is copied, which encrypts it.
    const shareable = isWholeSegments(segments, span) && version.encryption?.mode === 'sse-s3' && upload.headers.encryption?.mode === 'sse-s3';
    const part = shareable ? await sharePart(copy, segments) : await copyPartBytes(copy);
    const checksumHeaders: Record<string, string> = {};
    for (const [algorithm, value] of Object.entries(part.checksums)) checksumHeaders[`x-amz-checksum-${algorithm}`] = value;
    return { xml: copyPartResultXml({ etag: part.etag, lastModified: part.lastModified, checksums: part.checksums }), headers: checksumHeaders };
  })().finally(() => hangUp.release());
  const sseHeaders = { ...sseS3ResponseHeaders(upload.headers.encryption), ...customerKeyResponseHeaders(destination.customerKey) };
  return keepAliveXmlResponse(request, sseHeaders, copying);
}

function isWholeSegments(segments: readonly SegmentRecord[], span: Span): boolean {
  const first = segments[0];
  const last = segments.at(-1);
  return first !== undefined && last !== undefined
    && first.offset === span.offset && last.offset + last.length === span.offset + span.length;
}

/** The range read from the source's shards (the request log counts it). */
function sourceBytes(copy: PartCopy): AsyncGenerator<Uint8Array> {
  const report: ReadReport = { shardsRead: 0, failures: [] };
  copy.request.log.read = report;
  return readObjectRange(copy.request.deps, copy.version, copy.span, report, copy.signal, copy.sourceKeys);
}

async function sharePart(copy: PartCopy, segments: readonly SegmentRecord[]): Promise<UploadedPart> {
  const { deps } = copy.request;
  const algorithm = copy.upload.checksumAlgorithm;
  const whole = copy.span.offset === 0 && copy.span.length === copy.version.size;
  const sourceChecksum = algorithm === null ? undefined : copy.version.checksums[algorithm];
  const reusable = whole && /^"[0-9a-f]{32}"$/.test(copy.version.etag)
    && (algorithm === null || (sourceChecksum !== undefined && !sourceChecksum.includes('-')));
  let digest: { etag: string; checksums: Record<string, string> };
  if (reusable) {
    digest = { etag: copy.version.etag, checksums: algorithm === null ? {} : { [algorithm]: sourceChecksum! } };
  } else {
    const digests = new CopyDigests(algorithm);
    for await (const piece of sourceBytes(copy)) digests.update(piece);
    digest = digests.finish();
  }
  const part: UploadedPart = { partNumber: copy.partNumber, size: copy.span.length, ...digest, lastModified: deps.now() };
  try {
    const replaced = await deps.store.commitPart({
      uploadId: copy.upload.uploadId,
      part,
      segments: segments.map((segment, index) => ({ ...segment, index, partNumber: copy.partNumber, offset: segment.offset - copy.span.offset })),
      source: { kind: 'shared' },
    });
    if (replaced) deps.janitor.kick();
  } catch (error) {
    if (error instanceof NoSuchUploadError) throw noSuchUpload(copy.upload.uploadId);
    // The source was deleted and nothing else shared its segments: its bytes are going away.
    if (error instanceof SegmentGoneError) throw new S3Error('NoSuchKey', { cause: error });
    throw error;
  }
  return part;
}

async function copyPartBytes(copy: PartCopy): Promise<UploadedPart> {
  const digests = new CopyDigests(copy.upload.checksumAlgorithm);
  return storePart(copy.request.deps, {
    upload: copy.upload,
    partNumber: copy.partNumber,
    profile: copy.bucket.profile,
    body: observed(sourceBytes(copy), (bytes) => digests.update(bytes)),
    finish: () => {
      const digest = digests.finish();
      return { ...digest, etag: partEtag(copy.upload.headers.encryption, copy.partCustomerKey, digest.etag) };
    },
    encryption: copy.partKeys,
    signal: copy.signal,
  });
}
