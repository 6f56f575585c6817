import { expirationHeader, objectExpiry } from '../../src/lifecycle/lifecycle-match.ts';
import type { Bucket, ObjectVersion } from '../../src/meta/types.ts';
import type { GatewayDeps } from '../context.ts';
import { lifecycleObjectOf } from './lifecycle-object.ts';

/**
 * `x-amz-expiration` for an object a rule of its bucket expires (GET, HEAD, PUT answers), else
 * nothing: when, and by which rule, as S3 sends it. The rules are looked up only for a bucket
 * whose record (read by this request) says it has some; a bucket deleted meanwhile has none.
 */
export async function expirationHeaders(
  deps: Pick<GatewayDeps, 'store' | 'config'>, bucket: Pick<Bucket, 'name' | 'hasLifecycle'>, version: Pick<ObjectVersion, 'key' | 'size' | 'createdAt' | 'tags'>,
): Promise<Record<string, string>> {
  if (!bucket.hasLifecycle) return {};
  const rules = await deps.store.getBucketLifecycle(bucket.name).catch((error: { code?: string }) => {
    if (error.code === 'NO_SUCH_BUCKET') return null;
    throw error;
  });
  if (rules === null) return {};
  const expiry = objectExpiry(rules, lifecycleObjectOf(version), deps.config.lifecycleDayMs);
  return expiry === null ? {} : { 'x-amz-expiration': expirationHeader(expiry) };
}
