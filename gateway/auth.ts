import { SigV4Verifier, type SigV4Auth } from '../src/s3/sigv4.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { GatewayContext, GatewayDeps } from './context.ts';

export interface Authenticated {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly sigv4: SigV4Auth;
}

/** One verifier per gateway: it owns the cache of derived signing keys. */
export function createVerifier(store: MetaStore, region: string): SigV4Verifier {
  return new SigV4Verifier({
    region,
    lookupSecret: async (accessKeyId) => {
      const key = await store.getAccessKey(accessKeyId);
      return key && key.revokedAt === null ? key.secretKey : null;
    },
  });
}

/** SigV4 (header or presigned) → the caller's account; S3Error on any failure. */
export async function authenticate(
  deps: GatewayDeps,
  c: GatewayContext,
  target: { rawPath: string; rawQuery: string },
): Promise<Authenticated> {
  const sigv4 = await deps.verifier.verify({
    method: c.req.method,
    rawPath: target.rawPath,
    query: target.rawQuery,
    headers: c.env?.incoming?.headers ?? c.req.raw.headers,
    now: deps.now(),
  });
  const key = await deps.store.getAccessKey(sigv4.accessKeyId);
  // The verifier only succeeds for a live key, so `key` is present; a revocation racing this
  // request is the only way to miss it, and then the request is refused.
  if (!key || key.revokedAt !== null) throw new Error(`access key ${sigv4.accessKeyId} vanished during authentication`);
  return { accountId: key.accountId, accessKeyId: key.accessKeyId, sigv4 };
}
