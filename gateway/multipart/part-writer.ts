import { randomBytes } from 'node:crypto';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { ErasureProfile } from '../../src/erasure/profile.ts';
import { NoSuchUploadError } from '../../src/meta/multipart-errors.ts';
import type { MultipartUpload, UploadedPart } from '../../src/meta/multipart-types.ts';
import type { GatewayDeps } from '../context.ts';
import { writeObjectData } from '../write/object-writer.ts';
import { noSuchUpload } from './upload-access.ts';

export interface PartBytes {
  readonly upload: MultipartUpload;
  readonly partNumber: number;
  readonly profile: ErasureProfile;
  /** The part's bytes; the write erasure-codes them as they arrive. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Called once the body has ended: the part's ETag and checksums (or a digest error). */
  readonly finish: () => { etag: string; checksums: Record<string, string> };
  /** Seals each new segment's data key: the master key ring, or the upload's SSE-C key. */
  readonly encryption: SegmentKeySealer;
  readonly signal: AbortSignal;
}

/**
 * Writes a part's bytes as new segments under their own write and commits them as the upload's
 * part `partNumber` (replacing one uploaded before: its shards become garbage). Any failure —
 * the body, a digest, the nodes, an upload completed or aborted meanwhile (NoSuchUpload) —
 * abandons the write, so its shards are collected and nothing is left behind.
 */
export async function storePart(deps: GatewayDeps, bytes: PartBytes): Promise<UploadedPart> {
  const writeId = randomBytes(16).toString('hex');
  try {
    const written = await writeObjectData(deps, bytes.body, {
      profile: bytes.profile, maxSegmentBytes: deps.config.maxSegmentBytes, writeId, partNumber: bytes.partNumber,
      encryption: bytes.encryption, signal: bytes.signal,
    });
    const { etag, checksums } = bytes.finish();
    const part: UploadedPart = { partNumber: bytes.partNumber, size: written.size, etag, checksums, lastModified: deps.now() };
    const replaced = await deps.store.commitPart({
      uploadId: bytes.upload.uploadId, part, segments: written.segments, source: { kind: 'written', writeId },
    });
    if (replaced) deps.janitor.kick();
    return part;
  } catch (error) {
    await deps.store.abandonWrite(writeId).catch((abandonError: Error) => {
      deps.logger.error('abandon_write_failed', { writeId, error: abandonError.message });
    });
    deps.janitor.kick();
    if (error instanceof NoSuchUploadError) throw noSuchUpload(bytes.upload.uploadId);
    throw error;
  }
}

/** Passes the bytes through, showing each piece to `observe` first (digests computed on the way). */
export async function* observed(source: AsyncIterable<Uint8Array>, observe: (bytes: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    observe(piece);
    yield piece;
  }
}
