/**
 * s3rver (a plain Node S3 server on one disk: no erasure code, no fsync) on a free port in a temp
 * directory, as a comparison target for benches. It is imported at run time from `moduleSpecifier`
 * (`s3rver` when installed, or a path to its package): a missing module is an S3rverMissingError
 * with a one-line message, never a stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';

export class S3rverMissingError extends Error {
  readonly code = 'S3RVER_MISSING';
  override name = 'S3rverMissingError';
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3rverTarget {
  readonly url: string;
  /** An S3 client with the same settings as the bench cluster's (SDK defaults, path-style, no retries). */
  s3(): S3Client;
  close(): Promise<void>;
}

/** `s3rver` or a filesystem path to the package (a directory or its main file). */
async function loadS3rver(moduleSpecifier: string): Promise<S3rverClass> {
  const isPath = moduleSpecifier.startsWith('.') || path.isAbsolute(moduleSpecifier);
  const target = isPath ? pathToFileURL(path.resolve(moduleSpecifier)).href : moduleSpecifier;
  try {
    const loaded = await import(isPath && !target.endsWith('.js') ? `${target}/lib/s3rver.js` : target) as { default: S3rverClass };
    return loaded.default;
  } catch (error) {
    throw new S3rverMissingError(
      `cannot load s3rver from "${moduleSpecifier}" (${(error as { code?: string }).code ?? (error as Error).message}): `
      + 'install it (npm install --save-dev s3rver@3.7.1), give --s3rver-module <path>, or run with --s3rver false',
    );
  }
}

/** Starts s3rver on 127.0.0.1 with `buckets` created; close() stops it and removes its directory. */
export async function startS3rver(moduleSpecifier: string, buckets: readonly string[]): Promise<S3rverTarget> {
  const S3rver = await loadS3rver(moduleSpecifier);
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  return {
    url,
    s3() {
      const client = new S3Client({
        endpoint: url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
