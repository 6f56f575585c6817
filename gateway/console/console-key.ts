import { randomBytes } from 'node:crypto';
import { S3Error } from '../../src/s3/errors.ts';
import type { SigV4Auth } from '../../src/s3/sigv4.ts';
import type { Authenticated } from '../auth.ts';
import type { GatewayDeps } from '../context.ts';
import type { ResolvedRoute } from '../router.ts';

/**
 * The web console's own access key: made at random when the gateway starts (so every restart
 * rotates it), kept only in this process's memory — never in the store, never sent to a browser —
 * and good for exactly two operations on any bucket: GetObject and HeadObject. The console signs
 * its download links with it, so no root or account credential ever reaches the browser.
 */
export interface ConsoleKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
}

export function newConsoleKey(): ConsoleKey {
  // The SGC prefix tells it apart in request logs; 16 random characters make it unguessable as an id too.
  return { accessKeyId: `SGC${randomBytes(10).toString('hex').toUpperCase()}`, secretKey: randomBytes(30).toString('base64url') };
}

/** A request whose SigV4 signature was made with the console key (see `authenticate`). */
export interface ConsoleReader {
  readonly kind: 'console';
  readonly accessKeyId: string;
  readonly sigv4: SigV4Auth;
}

const CONSOLE_OPERATIONS: ReadonlySet<string> = new Set(['GetObject', 'HeadObject']);

/**
 * A console-signed request → the caller the handlers know, reading as the bucket's owner; only
 * GetObject and HeadObject (anything else is AccessDenied before a handler runs). NoSuchBucket
 * when the bucket is gone, as for anyone.
 */
export async function consoleReadAs(deps: GatewayDeps, route: ResolvedRoute, reader: ConsoleReader): Promise<Authenticated> {
  if (!CONSOLE_OPERATIONS.has(route.operation)) {
    throw new S3Error('AccessDenied', { message: 'The console key may only read objects (GetObject, HeadObject).' });
  }
  const bucket = await deps.store.getBucket(route.bucket);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${route.bucket}`, extra: { BucketName: route.bucket } });
  return { kind: 'signed', accountId: bucket.accountId, accessKeyId: reader.accessKeyId, sigv4: reader.sigv4 };
}
