import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { CommitPreconditionError } from '../../src/meta/store.ts';
import type { Bucket, CommitPrecondition, ContentHeaders, ObjectAcl, ObjectEncryption, ObjectVersion, Tag } from '../../src/meta/types.ts';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { GatewayDeps } from '../context.ts';
import { commitPreconditionS3Error } from '../ops/write-conditions.ts';
import { writeObjectData } from './object-writer.ts';

/** The new object a single-request upload (PutObject, POST Object) stores, apart from its bytes. */
export interface NewObject {
  readonly bucket: Bucket;
  readonly key: string;
  readonly contentType: string;
  readonly userMetadata: Record<string, string>;
  readonly contentHeaders: ContentHeaders;
  readonly encryption: ObjectEncryption;
  readonly keys: SegmentKeySealer;
  /** `x-amz-tagging` (PutObject); none for a POST Object. */
  readonly tags: readonly Tag[];
  /** The canned ACL (`x-amz-acl`, or the form's `acl`). */
  readonly acl: ObjectAcl;
  readonly precondition?: CommitPrecondition;
  /** The body's length when the request declares it (PutObject); a POST Object's file length is known only at its end. */
  readonly declaredLength?: number;
}

/** What the caller knows once every byte has passed: the ETag and checksums to store. */
export interface SealedDigests {
  readonly etag: string;
  readonly checksums: Record<string, string>;
}

/**
 * The write path of a single-request upload: `body` streams into erasure-coded segments on the
 * nodes (or, at most `--inline-max-bytes`, one inline segment in the metadata); `seal` (called once the body has ended, e.g. to compare digests) may still refuse it; only
 * then does one metadata transaction make the object visible. Any failure, a client that hangs up
 * included, abandons the write, and its shards are collected.
 */
export async function storeObject(
  deps: GatewayDeps, incoming: IncomingMessage, object: NewObject, body: AsyncIterable<Uint8Array>, seal: () => SealedDigests,
): Promise<SealedDigests & { size: number; object: ObjectVersion }> {
  const writeId = randomBytes(16).toString('hex');
  const abort = new AbortController();
  const onClose = () => { if (!incoming.complete) abort.abort(); };
  incoming.once('close', onClose);
  try {
    const written = await writeObjectData(deps, body, {
      profile: object.bucket.profile, maxSegmentBytes: deps.config.maxSegmentBytes, writeId, partNumber: 1,
      encryption: object.keys, signal: abort.signal, inlineMaxBytes: deps.config.inlineMaxBytes, declaredLength: object.declaredLength,
    });
    const sealed = seal();
    const committed: ObjectVersion = {
        bucket: object.bucket.name,
        key: object.key,
        versionId: randomBytes(16).toString('hex'),
        size: written.size,
        etag: sealed.etag,
        contentType: object.contentType,
        userMetadata: object.userMetadata,
        checksums: sealed.checksums,
        contentHeaders: object.contentHeaders,
        encryption: object.encryption,
        tags: object.tags,
        acl: object.acl,
        createdAt: deps.now(),
    };
    const replaced = await deps.store.commitObject({ writeId, segments: written.segments, object: committed, precondition: object.precondition });
    deps.metrics.objectsWritten++;
    if (replaced) deps.janitor.kick();
    return { ...sealed, size: written.size, object: committed };
  } catch (error) {
    abort.abort();
    await deps.store.abandonWrite(writeId).catch((abandonError: Error) => {
      deps.logger.error('abandon_write_failed', { writeId, error: abandonError.message });
    });
    deps.janitor.kick();
    throw error instanceof CommitPreconditionError ? commitPreconditionS3Error(error) : error;
  } finally {
    incoming.off('close', onClose);
  }
}

/** `source` unchanged, each piece shown to `observe` on its way through (digests, length checks). */
export async function* tap(source: AsyncIterable<Uint8Array>, observe: (bytes: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    observe(piece);
    yield piece;
  }
}
