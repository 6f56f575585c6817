/**
 * Random S3 range GETs of one seeded object, timed and verified: what every object-range bench
 * (range-read, billing) measures. Bytes are checked against `objectBytes` after the clock stops.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Span } from '../src/span.ts';
import { objectBytes } from './object-bytes.ts';

/** The object every read targets: its bucket, key, size and the seed its bytes come from. */
export interface SeededObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly seed: number;
}

export interface Sample {
  readonly ttfbMs: number;
  readonly totalMs: number;
  readonly verifyMs: number;
}

/** `count` ranges, lengths uniform in [minLength, maxLength], offsets uniform over the object. */
export function randomRanges(random: () => number, count: number, object: SeededObject, lengths: { minLength: number; maxLength: number }): Span[] {
  return Array.from({ length: count }, () => {
    const length = lengths.minLength + Math.floor(random() * (lengths.maxLength - lengths.minLength + 1));
    return { offset: Math.floor(random() * (object.size - length + 1)), length };
  });
}

/** One timed GET; throws on any wrong status, Content-Range, length or byte. */
export async function timedRangeRead(s3: S3Client, object: SeededObject, { offset, length }: Span): Promise<Sample> {
  const last = offset + length - 1;
  const started = performance.now();
  const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, Range: `bytes=${offset}-${last}` }));
  const body = Buffer.allocUnsafe(length);
  let received = 0;
  let firstByteAt = 0;
  for await (const piece of response.Body as Readable as AsyncIterable<Buffer>) {
    if (received === 0) firstByteAt = performance.now();
    if (received + piece.length > length) throw new Error(`range ${offset}+${length}: body longer than asked`);
    piece.copy(body, received);
    received += piece.length;
  }
  const endedAt = performance.now();
  const status = response.$metadata.httpStatusCode;
  if (status !== 206) throw new Error(`range ${offset}+${length}: status ${status}`);
  if (response.ContentRange !== `bytes ${offset}-${last}/${object.size}`) throw new Error(`range ${offset}+${length}: Content-Range ${response.ContentRange}`);
  if (received !== length) throw new Error(`range ${offset}+${length}: got ${received} bytes`);
  const expected = objectBytes(object.seed, offset, length);
  if (!expected.equals(body)) {
    let at = 0;
    while (body[at] === expected[at]) at++;
    throw new Error(`range ${offset}+${length}: wrong byte at object offset ${offset + at}`);
  }
  return { ttfbMs: firstByteAt - started, totalMs: endedAt - started, verifyMs: performance.now() - endedAt };
}

/** Runs `ranges` with `concurrency` requests in flight; failures are collected, not thrown. */
export async function runRangeReads(s3: S3Client, object: SeededObject, ranges: readonly Span[], concurrency: number) {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, ranges.length) }, async () => {
    while (next < ranges.length) {
      const range = ranges[next++]!;
      try {
        samples.push(await timedRangeRead(s3, object, range));
        bytes += range.length;
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }));
  return { samples, errors, bytes, wallSeconds: (performance.now() - started) / 1000 };
}
