import type { LifecycleObject } from '../../src/lifecycle/lifecycle-types.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';

/**
 * What lifecycle rules look at in a stored object: key, size, creation time and tags. The one
 * place both the worker and the `x-amz-expiration` header take an object's tags from.
 */
export function lifecycleObjectOf(version: Pick<ObjectVersion, 'key' | 'size' | 'createdAt' | 'tags'>): LifecycleObject {
  return {
    key: version.key,
    size: version.size,
    createdAt: version.createdAt,
    tags: version.tags,
  };
}
