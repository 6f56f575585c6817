import type { LifecycleObject } from '../../src/lifecycle/lifecycle-types.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';

/**
 * What lifecycle rules look at in a stored object: key, size, creation time and tags. The one
 * place both the worker and the `x-amz-expiration` header take an object's tags from.
 */
export function lifecycleObjectOf(version: Pick<ObjectVersion, 'key' | 'size' | 'createdAt'>): LifecycleObject {
  return {
    key: version.key,
    size: version.size,
    createdAt: version.createdAt,
    tags: [], // TODO(tagging): the object's tags (the `tags` field of the object record) once objects carry them
  };
}
