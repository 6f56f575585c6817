/**
 * Failures a shard node answers with. Each class carries the protocol's stable `code` and the HTTP
 * status; `app.ts` turns them into `{ error, message }` JSON bodies. Anything else is a 500.
 */
import type { NodeErrorCode } from '../src/node-protocol/routes.ts';

export abstract class ShardNodeError extends Error {
  abstract readonly code: NodeErrorCode;
  abstract readonly status: 400 | 403 | 404 | 409 | 416 | 503 | 507;
}

export class InvalidShardIdError extends ShardNodeError {
  readonly code = 'INVALID_SHARD_ID';
  readonly status = 400;
  override name = 'InvalidShardIdError';
  constructor() {
    super('shard id must match <32 hex>.<index>');
  }
}

export class InvalidPathError extends ShardNodeError {
  readonly code = 'INVALID_PATH';
  readonly status = 400;
  override name = 'InvalidPathError';
}

export class InvalidNodeRequestError extends ShardNodeError {
  readonly code = 'INVALID_REQUEST';
  readonly status = 400;
  override name = 'InvalidNodeRequestError';
}

/** The upload did not end on a chunk boundary: shard files are whole chunks. */
export class PartialChunkUploadError extends ShardNodeError {
  readonly code = 'PARTIAL_CHUNK';
  readonly status = 400;
  override name = 'PartialChunkUploadError';
}

/** The client stopped sending before the body was complete. */
export class IncompleteBodyError extends ShardNodeError {
  readonly code = 'INCOMPLETE_BODY';
  readonly status = 400;
  override name = 'IncompleteBodyError';
}

export class ShardNotFoundError extends ShardNodeError {
  readonly code = 'SHARD_NOT_FOUND';
  readonly status = 404;
  override name = 'ShardNotFoundError';
  constructor(shardId: string) {
    super(`no committed shard ${shardId}`);
  }
}

/** A commit for which no finished upload exists (never uploaded, deleted, or already cleaned up). */
export class UploadNotFoundError extends ShardNodeError {
  readonly code = 'UPLOAD_NOT_FOUND';
  readonly status = 404;
  override name = 'UploadNotFoundError';
  constructor(shardId: string) {
    super(`no finished upload of shard ${shardId}`);
  }
}

export class HashListMismatchError extends ShardNodeError {
  readonly code = 'HASH_LIST_MISMATCH';
  readonly status = 409;
  override name = 'HashListMismatchError';
  constructor(shardId: string) {
    super(`hash list of shard ${shardId} differs from the bytes the node received`);
  }
}

export class RangeNotSatisfiableError extends ShardNodeError {
  readonly code = 'RANGE_NOT_SATISFIABLE';
  readonly status = 416;
  override name = 'RangeNotSatisfiableError';
  constructor(readonly size: number) {
    super(`range outside a shard of ${size} bytes`);
  }
}

export class InsufficientStorageError extends ShardNodeError {
  readonly code = 'INSUFFICIENT_STORAGE';
  readonly status = 507;
  override name = 'InsufficientStorageError';
  constructor() {
    super('the node is out of disk space');
  }
}
