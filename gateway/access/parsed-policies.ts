import { ByteBoundedLru } from '../../src/cache/byte-bounded-lru.ts';
import type { Bucket } from '../../src/meta/types.ts';
import { parseBucketPolicy, type BucketPolicy } from '../../src/policy/policy-document.ts';

/** Room for a few hundred typical policies (a stored one is at most 20 KB of text). */
const MAX_CACHED_POLICY_BYTES = 4 * 1024 * 1024;

interface CachedPolicy {
  readonly text: string;
  readonly policy: BucketPolicy;
}

/**
 * Bucket policies parsed once per gateway, not on every request: parsing and validating is most
 * of the policy's cost per request (evaluation is a small fraction of it). Keyed by bucket and
 * checked against the stored text, so a put or delete of the policy, seen on the next getBucket,
 * is never answered from the old entry.
 */
export class ParsedPolicies {
  // An entry's size: its text counted four times (key, text and the parsed objects, roughly).
  readonly #cache = new ByteBoundedLru<string, CachedPolicy>(MAX_CACHED_POLICY_BYTES, (entry) => entry.text.length * 4);

  /** The bucket's policy, null without one. It was validated when it was put; one that no longer parses throws (fails closed). */
  policyOf(bucket: Bucket): BucketPolicy | null {
    if (bucket.policy === null) return null;
    const cached = this.#cache.get(bucket.name);
    if (cached?.text === bucket.policy) return cached.policy;
    let policy: BucketPolicy;
    try {
      policy = parseBucketPolicy(bucket.policy, bucket.name);
    } catch (error) {
      throw new Error(`the stored policy of bucket ${bucket.name} does not parse`, { cause: error });
    }
    this.#cache.set(bucket.name, { text: bucket.policy, policy });
    return policy;
  }
}
