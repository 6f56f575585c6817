/** Why one shard could not contribute to a read or a decode. */
export interface ShardFailure {
  readonly shardIndex: number;
  /** Short and stable enough to log and count, e.g. `missing`, `timeout`, `corrupt`, `http 503`. */
  readonly reason: string;
}

/**
 * Fewer than k of the n shards of a stripe range are usable, so its data cannot be recovered.
 * `failures` lists the shards that were tried or known lost and why; `stripeIndex`, when known,
 * names the first stripe (of its segment) that has fewer than k good chunks.
 */
export class NotEnoughShardsError extends Error {
  readonly code = 'NOT_ENOUGH_SHARDS';
  override name = 'NotEnoughShardsError';
  readonly needed: number;
  readonly available: number;
  readonly failures: readonly ShardFailure[];
  readonly stripeIndex: number | null;

  constructor(
    details: { needed: number; available: number; failures?: readonly ShardFailure[]; stripeIndex?: number },
    options?: ErrorOptions,
  ) {
    const failures = details.failures ?? [];
    const listed = failures.map((f) => `${f.shardIndex} (${f.reason})`).join(', ');
    const where = details.stripeIndex === undefined ? '' : `stripe ${details.stripeIndex}: `;
    super(
      `${where}need ${details.needed} shards, ${details.available} available${listed ? `; failed: ${listed}` : ''}`,
      options,
    );
    this.stripeIndex = details.stripeIndex ?? null;
    this.needed = details.needed;
    this.available = details.available;
    this.failures = failures;
  }
}

/** A chunk of a shard did not match its trusted hash. `chunkIndex` counts chunks in the shard file. */
export class ShardCorruptError extends Error {
  readonly code = 'SHARD_CORRUPT';
  override name = 'ShardCorruptError';
  readonly shardIndex: number;
  readonly chunkIndex: number;

  constructor(details: { shardIndex: number; chunkIndex: number }, options?: ErrorOptions) {
    super(`shard ${details.shardIndex} chunk ${details.chunkIndex} failed verification`, options);
    this.shardIndex = details.shardIndex;
    this.chunkIndex = details.chunkIndex;
  }
}

/**
 * The codec was called against its preconditions (wrong column count, unequal column lengths,
 * a batch too large for wasm memory) or the wasm library failed unexpectedly. Always a bug or
 * resource exhaustion, never a property of the stored data.
 */
export class ErasureCodecError extends Error {
  readonly code = 'ERASURE_CODEC';
  override name = 'ErasureCodecError';
}
