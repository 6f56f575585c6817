import { randomBytes } from 'node:crypto';
import type { SegmentKeyOpener } from '../../src/crypto/segment-keys.ts';
import type { Bucket, NewObjectVersion, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import { partEtag } from '../sse/customer-key-headers.ts';
import type { WriteEncryption } from '../sse/request-encryption.ts';
import { writeObjectData } from '../write/object-writer.ts';
import { MAX_PUT_BYTES } from '../write/request-body.ts';
import { CopyDigests } from './copy-digests.ts';

export interface ObjectByteCopy {
  readonly request: S3Request;
  readonly bucket: Bucket;
  readonly source: ObjectVersion;
  readonly sourceKeys: SegmentKeyOpener;
  readonly destination: WriteEncryption;
  /** The new version without its size, ETag and encryption (this copy decides them). */
  readonly object: Omit<NewObjectVersion['object'], 'size' | 'etag' | 'encryption'>;
  readonly signal: AbortSignal;
}

/**
 * CopyObject between objects encrypted differently (SSE-S3 ↔ SSE-C, two SSE-C keys, or a source
 * stored before encryption): the source is read (verified, decrypted) and written again through
 * the write path under the destination's keys, as S3 re-encrypts, up to S3's 5 GiB for such
 * copies. The ETag is the MD5 of the bytes (keyed for SSE-C); full-object checksums carry over
 * (the bytes are the same), a multipart source's per-part (`…-N`) ones do not.
 */
export async function copyObjectBytes(copy: ObjectByteCopy): Promise<{ etag: string; replaced: ObjectVersion | null; encryption: WriteEncryption['encryption'] }> {
  const { deps, log } = copy.request;
  if (copy.source.size > MAX_PUT_BYTES) {
    throw new S3Error('InvalidRequest', {
      message: `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}`,
    });
  }
  const report: ReadReport = { shardsRead: 0, failures: [] };
  log.read = report;
  const digests = new CopyDigests(null);
  const writeId = randomBytes(16).toString('hex');
  try {
    const written = await writeObjectData(deps, observe(readObjectRange(deps, copy.source, { offset: 0, length: copy.source.size }, report, copy.signal, copy.sourceKeys), digests), {
      profile: copy.bucket.profile, maxSegmentBytes: deps.config.maxSegmentBytes, writeId, partNumber: 1,
      encryption: copy.destination.keys, signal: copy.signal, inlineMaxBytes: deps.config.inlineMaxBytes, declaredLength: copy.source.size,
    });
    const etag = partEtag(copy.destination.encryption, copy.destination.customerKey, digests.finish().etag);
    const checksums = Object.fromEntries(Object.entries(copy.source.checksums).filter(([, value]) => !/-\d+$/.test(value)));
    const replaced = await deps.store.commitObject({
      writeId,
      segments: written.segments,
      object: { ...copy.object, size: written.size, etag, checksums, encryption: copy.destination.encryption },
    });
    deps.metrics.objectsWritten++;
    if (replaced) deps.janitor.kick();
    return { etag, replaced, encryption: copy.destination.encryption };
  } catch (error) {
    await deps.store.abandonWrite(writeId).catch((abandonError: Error) => {
      deps.logger.error('abandon_write_failed', { writeId, error: abandonError.message });
    });
    deps.janitor.kick();
    throw error;
  }
}

async function* observe(source: AsyncIterable<Uint8Array>, digests: CopyDigests): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    digests.update(piece);
    yield piece;
  }
}
