import { S3Error } from '../src/s3/errors.ts';
import { detectAuthKind, SigV4Verifier, type SigV4Auth } from '../src/s3/sigv4.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { ConsoleKey, ConsoleReader } from './console/console-key.ts';
import type { GatewayContext, GatewayDeps } from './context.ts';

/** A request signed (header or presigned URL) with a live access key of an account. */
export interface Authenticated {
  readonly kind: 'signed';
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly sigv4: SigV4Auth;
}

/**
 * A request with no signature at all (no Authorization header, no X-Amz-Algorithm parameter):
 * the dispatcher lets it through only to the public-read operations.
 */
export interface Anonymous {
  readonly kind: 'anonymous';
}

export type Caller = Authenticated | Anonymous;

export const ANONYMOUS: Anonymous = Object.freeze({ kind: 'anonymous' });

/** One verifier per gateway: it owns the cache of derived signing keys. */
export function createVerifier(store: MetaStore, region: string, consoleKey: ConsoleKey | null = null): SigV4Verifier {
  return new SigV4Verifier({
    region,
    lookupSecret: async (accessKeyId) => {
      if (consoleKey && accessKeyId === consoleKey.accessKeyId) return consoleKey.secretKey;
      const key = await store.getAccessKey(accessKeyId);
      return key && key.revokedAt === null ? key.secretKey : null;
    },
  });
}

/**
 * SigV4 (header or presigned URL) → the caller's account; a request without any signature →
 * ANONYMOUS; one signed with the web console's key → a ConsoleReader (console/console-key.ts).
 * S3Error on any failure of a signature that is there (a revoked key is InvalidAccessKeyId, as
 * S3 answers for a deactivated key).
 */
export async function authenticate(
  deps: GatewayDeps,
  c: GatewayContext,
  target: { rawPath: string; rawQuery: string },
): Promise<Caller | ConsoleReader> {
  const headers = c.env?.incoming?.headers ?? c.req.raw.headers;
  if (detectAuthKind(target.rawQuery, headers) === 'anonymous') {
    // A SigV2 presigned URL (boto3's default for generate_presigned_url) is signed, not anonymous.
    const query = new URLSearchParams(target.rawQuery);
    if (query.has('AWSAccessKeyId') && query.has('Signature')) {
      throw new S3Error('InvalidRequest', { message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' });
    }
    return ANONYMOUS;
  }
  const sigv4 = await deps.verifier.verify({
    method: c.req.method,
    rawPath: target.rawPath,
    query: target.rawQuery,
    headers,
    now: deps.now(),
  });
  if (deps.consoleKey && sigv4.accessKeyId === deps.consoleKey.accessKeyId) return { kind: 'console', accessKeyId: sigv4.accessKeyId, sigv4 };
  const key = await deps.store.getAccessKey(sigv4.accessKeyId);
  // The verifier only succeeds for a live key, so `key` is present; a revocation racing this
  // request is the only way to miss it, and then the request is refused like any revoked key.
  if (!key || key.revokedAt !== null) throw new S3Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: sigv4.accessKeyId } });
  return { kind: 'signed', accountId: key.accountId, accessKeyId: key.accessKeyId, sigv4 };
}
