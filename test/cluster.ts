/**
 * A real shardgate cluster for integration tests (src/testing/local-cluster.ts) with the tests'
 * defaults, stopped and removed in the test's teardown (`startCluster`), and the assertions
 * tests share.
 */
import { GetObjectCommand, type S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import type { ExecutionContext } from 'ava';
import { LocalCluster, type LocalClusterOptions } from '../src/testing/local-cluster.ts';

export { sleep, type CliResult, type ManagedProcess, type ShardNodeProcess } from '../src/testing/local-cluster.ts';

export type ClusterOptions = Omit<LocalClusterOptions, 'label' | 'outputTailChars' | 'gatewayNodeArgs'>;

/** Gateway flags every test cluster starts with (a test's own gatewayArgs come later and win). */
const TEST_GATEWAY_ARGS = [
  '--node-timeout', '10000', '--shard-timeout', '10000',
  // Longer than any pause in a test (a node SIGKILLed and awaited, a cluster under load): with
  // the 5 s default, a test's next request can go out on a keep-alive socket the gateway is
  // closing as idle at that instant, and the SDK (maxAttempts 1) reports a bare socket error.
  '--idle-timeout', '60000',
];

/** Nodes `test-op-<index>`, access keys `TEST…`, whole process output kept for assertions. */
export class TestCluster extends LocalCluster {
  constructor(options: ClusterOptions = {}) {
    super({ ...options, label: 'test', gatewayArgs: [...TEST_GATEWAY_ARGS, ...(options.gatewayArgs ?? [])] });
  }
}

/** An object's bytes (whole, a Range, or a PartNumber) through the SDK. */
export async function getObjectBytes(s3: S3Client, input: { Bucket: string; Key: string; Range?: string; PartNumber?: number }): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand(input));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** The S3 error name and HTTP status a request must fail with (the test fails if it succeeds). */
export async function s3ErrorOf(t: ExecutionContext, promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = await t.throwsAsync(promise);
  return { name: (error as S3ServiceException).name, status: (error as S3ServiceException).$metadata?.httpStatusCode };
}

/** Files in `after` that were not in `before`. */
export function addedFiles(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((file) => !before.has(file));
}

export async function startCluster(t: ExecutionContext, options: ClusterOptions = {}): Promise<TestCluster> {
  const cluster = new TestCluster(options);
  t.teardown(() => cluster.close());
  await cluster.start();
  return cluster;
}

/** Deterministic bytes for a test object: a seeded xorshift stream, fast for 100 MiB. */
export function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    bytes.writeUInt32LE(state, i);
  }
  for (; i < length; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
