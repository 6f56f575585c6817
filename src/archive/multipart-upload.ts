/**
 * Streams an archive into one S3 object as a multipart upload, resumably. The stream is cut into
 * parts of `partSize` bytes (the last one shorter); at most `parallel` parts are in flight while the
 * next one fills, so memory is bounded by (parallel + 1) × partSize. Each part carries its CRC-32
 * (`x-amz-checksum-crc32`, checked by the gateway) and is retried with backoff when the request
 * fails for a transient reason; so is CompleteMultipartUpload.
 *
 * Resume: when the key already has an unfinished upload, its parts (ListParts) are compared with
 * the parts this stream produces — same count, same sizes, same CRC-32 — and only the missing ones
 * are sent. The archive is deterministic for the same files, so a part that differs means the
 * source changed: SOURCE_CHANGED, nothing completed. The caller decides what Ctrl-C does through
 * `signal`: parts in flight finish, no new one starts, and INTERRUPTED names the upload to resume.
 */
import { crc32 } from 'node:zlib';
import { formatS3Url, type S3Location } from './s3-location.ts';
import type { S3MultipartClient, UploadedPart } from './s3-multipart-client.ts';
import { S3RequestError } from './s3-object-client.ts';

/** S3's limits: parts of 5 MiB at least (but the last), 10,000 parts, 5 GiB a part. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;

export type MultipartUploadErrorCode =
  /** An unfinished upload of the key holds a part this source does not produce. */
  | 'SOURCE_CHANGED'
  /** The upload disappeared (NoSuchUpload): aborted by someone else, or expired. */
  | 'UPLOAD_GONE'
  /** Stopped on request (Ctrl-C); the upload is left to resume. */
  | 'INTERRUPTED'
  /** A part failed every attempt, or the archive does not fit in 10,000 parts. */
  | 'UPLOAD_FAILED';

export class MultipartUploadError extends Error {
  override readonly name = 'MultipartUploadError';
  constructor(readonly code: MultipartUploadErrorCode, message: string, readonly uploadId: string | null) {
    super(message);
  }
}

export interface MultipartUploadOptions {
  readonly client: S3MultipartClient;
  readonly location: S3Location;
  readonly size: number;
  readonly partSize: number;
  readonly parallel: number;
  readonly contentType: string;
  /** Failed attempts of one part before giving up (default 4), waiting `retryDelayMs` × 2^n between. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Aborted: finish the parts in flight, start no more, throw INTERRUPTED. */
  readonly signal?: AbortSignal;
  /** Bytes of the archive stored so far (parts sent or found already there). */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface MultipartUploadOutcome {
  readonly uploadId: string;
  readonly parts: number;
  /** Parts sent by this run. */
  readonly partsSent: number;
  /** Parts found already uploaded (resume) and verified. */
  readonly partsReused: number;
  readonly resumed: boolean;
}

/** The CRC-32 as S3 reports it: base64 of its four big-endian bytes. */
export function crc32Base64(bytes: Uint8Array): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(crc32(bytes));
  return buffer.toString('base64');
}

export function partCountOf(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export async function uploadMultipart(stream: AsyncIterable<Uint8Array>, options: MultipartUploadOptions): Promise<MultipartUploadOutcome> {
  const { client, location, size, partSize, parallel } = options;
  const url = formatS3Url(location);
  const partCount = partCountOf(size, partSize);
  if (partCount > MAX_PARTS) {
    throw new MultipartUploadError('UPLOAD_FAILED', `the archive is ${size} bytes: --part-size ${partSize} would make ${partCount} parts, S3 allows ${MAX_PARTS}; use --part-size ${Math.ceil(size / MAX_PARTS / 1048576)}MiB or more`, null);
  }
  const partLength = (partNumber: number) => Math.min(partSize, size - (partNumber - 1) * partSize);

  const previous = (await client.uploadsOf(location)).at(-1);
  const uploadId = previous?.uploadId ?? await client.create(location, options.contentType);
  const gone = (error: unknown) => error instanceof S3RequestError && error.s3Code === 'NoSuchUpload';
  const goneError = () => new MultipartUploadError('UPLOAD_GONE', `the upload ${uploadId} of ${url} was aborted meanwhile (NoSuchUpload); nothing was stored: run the command again to start a new upload`, uploadId);
  const changed = (what: string) => new MultipartUploadError('SOURCE_CHANGED', `the unfinished upload ${uploadId} of ${url} holds ${what}: the source changed since it began (or --part-size differs); nothing was stored: run again with --restart to start over, or --abort to remove it`, uploadId);

  const existing = new Map<number, UploadedPart>();
  if (previous) {
    let listed: UploadedPart[];
    try {
      listed = await client.parts(location, uploadId);
    } catch (error) {
      throw gone(error) ? goneError() : error;
    }
    for (const part of listed) {
      if (part.partNumber > partCount) throw changed(`part ${part.partNumber}, past the ${partCount} parts of this archive`);
      if (part.size !== partLength(part.partNumber)) throw changed(`part ${part.partNumber} of ${part.size} bytes where this archive's is ${partLength(part.partNumber)}`);
      existing.set(part.partNumber, part);
    }
  }

  const done: UploadedPart[] = [];
  let bytesDone = 0;
  let partsSent = 0;
  let partsReused = 0;
  let failure: unknown = null;
  const inFlight = new Set<Promise<void>>();
  const report = (bytes: number) => {
    bytesDone += bytes;
    options.onProgress?.(bytesDone, size);
  };

  /** `request` until it succeeds, retrying transient failures with backoff; the last failure names the upload left to resume. */
  const withRetries = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    const retries = options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (gone(error)) throw goneError();
        if (attempt >= retries || !transient(error)) {
          throw new MultipartUploadError('UPLOAD_FAILED', `${what} of ${url} failed ${attempt + 1} time(s): ${(error as Error).message}; the upload ${uploadId} stays (not aborted): run the same command again to resume it, or with --abort to remove it`, uploadId);
        }
        await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 250) * 2 ** attempt));
      }
    }
  };

  const send = async (partNumber: number, bytes: Uint8Array, checksum: string) => {
    const etag = await withRetries(`part ${partNumber}`, () => client.uploadPart(location, uploadId, partNumber, bytes, checksum));
    done.push({ partNumber, size: bytes.length, etag, crc32: checksum });
    partsSent++;
    report(bytes.length);
  };

  const dispatch = async (partNumber: number, bytes: Uint8Array) => {
    const checksum = crc32Base64(bytes);
    const there = existing.get(partNumber);
    if (there) {
      if (there.crc32 !== checksum) throw changed(`part ${partNumber} with CRC-32 ${there.crc32 ?? 'none'} where this archive's is ${checksum}`);
      done.push(there);
      partsReused++;
      report(bytes.length);
      return;
    }
    while (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure) return;
    const task = send(partNumber, bytes, checksum).catch((error) => { failure ??= error; }).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  let partNumber = 0;
  let buffer = Buffer.allocUnsafe(partLength(1));
  let filled = 0;
  try {
    for await (let piece of stream) {
      while (piece.length > 0) {
        if (failure || options.signal?.aborted) break;
        const take = Math.min(piece.length, buffer.length - filled);
        buffer.set(piece.subarray(0, take), filled);
        filled += take;
        piece = piece.subarray(take);
        if (filled === buffer.length) {
          partNumber++;
          await dispatch(partNumber, buffer);
          if (partNumber < partCount) buffer = Buffer.allocUnsafe(partLength(partNumber + 1));
          filled = 0;
        }
      }
      if (failure || options.signal?.aborted) break;
    }
  } catch (error) {
    failure ??= error instanceof MultipartUploadError ? error
      : new MultipartUploadError('UPLOAD_FAILED', `${(error as Error).message}; the unfinished upload ${uploadId} stays: run the command again to resume, or with --abort to remove it`, uploadId);
  } finally {
    await Promise.allSettled([...inFlight]);
  }
  if (failure) throw failure;
  if (options.signal?.aborted) {
    const stored = existing.size + partsSent;
    throw new MultipartUploadError('INTERRUPTED', `interrupted: the upload ${uploadId} of ${url} keeps ${stored} of ${partCount} parts; run the same command again to resume, or with --abort to remove it`, uploadId);
  }
  if (partNumber !== partCount || filled !== 0) {
    throw new MultipartUploadError('UPLOAD_FAILED', `the archive stream ended after ${bytesDone} of ${size} bytes; the upload ${uploadId} stays: run the command again to resume`, uploadId);
  }
  done.sort((a, b) => a.partNumber - b.partNumber);
  // A retried Complete whose first answer was lost is answered by the gateway from the object it made.
  await withRetries('completing the upload', () => client.complete(location, uploadId, done));
  return { uploadId, parts: partCount, partsSent, partsReused, resumed: previous !== undefined };
}

/** Network failures, 5xx, 408 and 429 are worth another attempt; other answers are not. */
function transient(error: unknown): boolean {
  if (error instanceof S3RequestError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return true;
}

/** Aborts every unfinished upload of the key; returns how many there were. */
export async function abortUploads(client: S3MultipartClient, location: S3Location): Promise<number> {
  const uploads = await client.uploadsOf(location);
  for (const upload of uploads) await client.abort(location, upload.uploadId);
  return uploads.length;
}
