/**
 * Lifecycle in the metadata store: each bucket's rules (src/lifecycle/lifecycle-types.ts) and one
 * lease row per bucket with rules, so that of several gateways exactly one applies a bucket's
 * rules at a time. A claim increments the row's fencing token; renew and complete must present
 * it, so a pass taken over after its lease expired (or whose rules were replaced meanwhile)
 * cannot complete twice.
 */
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';

/** One bucket's rules, leased to the caller until it renews or completes. */
export interface LifecycleJob {
  readonly bucket: string;
  /** The bucket row's identity: a bucket deleted and re-created under the same name is another job. */
  readonly bucketRef: number;
  readonly rules: readonly LifecycleRule[];
  readonly leaseToken: number;
}
