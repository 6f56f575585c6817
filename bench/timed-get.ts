/**
 * Timed HTTP GETs for the range-read benchmark, the same client for the gateway and for nginx:
 * undici with keep-alive pools, no SDK, so the comparison is server against server. Requests to
 * the gateway are SigV4-signed before the clock starts. TTFB is request start to first body byte,
 * total to last byte; each body is checked against the expected bytes after the clock stops.
 */
import { Agent, request } from 'undici';
import { parseServerTiming } from './server-timing.ts';
import { signRequest, type S3Endpoint } from '../src/archive/s3-request-signer.ts';

export interface TimedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly expectedStatus: number;
  /** Resolves with the bytes the body must equal. */
  readonly expected: () => Promise<Uint8Array>;
  readonly label: string;
}

export interface Sample {
  readonly ttfbMs: number;
  readonly totalMs: number;
  readonly bytes: number;
  /** The server's `Server-Timing` stages in ms (empty when it sent none). */
  readonly stagesMs: Record<string, number>;
}

/** A GET signed for `endpoint` (path and query as they will be sent). */
export function signedGet(endpoint: S3Endpoint, url: string, headers: Record<string, string> = {}): Record<string, string> {
  const signed = signRequest({ method: 'GET', url: new URL(url), headers, payloadHash: 'UNSIGNED-PAYLOAD', endpoint, now: new Date() });
  delete signed.host;
  return signed;
}

export async function timedGet(dispatcher: Agent, target: TimedRequest): Promise<Sample> {
  const started = performance.now();
  const response = await request(target.url, { method: 'GET', headers: target.headers, dispatcher });
  const pieces: Buffer[] = [];
  let firstByteAt = 0;
  let received = 0;
  for await (const piece of response.body as AsyncIterable<Buffer>) {
    if (received === 0) firstByteAt = performance.now();
    pieces.push(piece);
    received += piece.length;
  }
  const endedAt = performance.now();
  if (response.statusCode !== target.expectedStatus) {
    throw new Error(`${target.label}: status ${response.statusCode}: ${Buffer.concat(pieces).toString('utf8').slice(0, 300)}`);
  }
  const expected = await target.expected();
  const body = Buffer.concat(pieces, received);
  if (!body.equals(expected)) throw new Error(`${target.label}: ${received} bytes that differ from the expected ${expected.length}`);
  return { ttfbMs: firstByteAt - started, totalMs: endedAt - started, bytes: received, stagesMs: parseServerTiming(response.headers['server-timing']) };
}

export interface RunOutcome {
  readonly samples: Sample[];
  readonly errors: string[];
  readonly bytes: number;
  readonly wallSeconds: number;
}

/** Runs the requests `make(i)` for i in [0, count) with `concurrency` in flight; failures are collected. */
export async function runConcurrently(dispatcher: Agent, count: number, concurrency: number, make: (index: number) => TimedRequest): Promise<RunOutcome> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      try {
        const sample = await timedGet(dispatcher, make(index));
        samples.push(sample);
        bytes += sample.bytes;
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }));
  return { samples, errors, bytes, wallSeconds: (performance.now() - started) / 1000 };
}
