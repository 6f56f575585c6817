/** Samples kept per node: the recent past, not the node's whole history. */
const WINDOW = 64;
/** No hedging until a node has this many samples: a p95 of three reads means nothing. */
const MIN_SAMPLES = 16;
/** Never hedge sooner than this: on a quiet cluster p95 can be a millisecond, and a hedge costs k reads. */
const MIN_HEDGE_MS = 25;

/**
 * Each shard node's recent time to first chunk (request sent → first verified chunk), for hedged
 * reads: a data shard whose first chunk is later than its node's recent p95 is read around, from
 * parity, instead of waiting for it.
 */
export class NodeLatency {
  readonly #samples = new Map<string, { values: Float64Array; next: number; count: number }>();

  record(nodeId: string, milliseconds: number): void {
    let entry = this.#samples.get(nodeId);
    if (!entry) {
      entry = { values: new Float64Array(WINDOW), next: 0, count: 0 };
      this.#samples.set(nodeId, entry);
    }
    entry.values[entry.next] = milliseconds;
    entry.next = (entry.next + 1) % WINDOW;
    entry.count = Math.min(WINDOW, entry.count + 1);
  }

  /** The node's p95 time to first chunk over its recent reads (for `shardgate status`); null before any read. */
  recentP95Ms(nodeId: string): number | null {
    const entry = this.#samples.get(nodeId);
    if (!entry || entry.count === 0) return null;
    const sorted = entry.values.slice(0, entry.count).sort();
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! * 10) / 10;
  }

  /** How long to wait for a node's first chunk before hedging; null while there is too little history. */
  hedgeDelayMs(nodeId: string): number | null {
    const entry = this.#samples.get(nodeId);
    if (!entry || entry.count < MIN_SAMPLES) return null;
    const sorted = entry.values.slice(0, entry.count).sort();
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
    return Math.max(MIN_HEDGE_MS, p95);
  }

  /** The node's median time to first chunk over its recent reads (ms); null before any read. */
  recentMedianMs(nodeId: string): number | null {
    const entry = this.#samples.get(nodeId);
    if (!entry || entry.count === 0) return null;
    const sorted = entry.values.slice(0, entry.count).sort();
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  }
}
