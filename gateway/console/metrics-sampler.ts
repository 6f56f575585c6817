import type { MetricValueWithName, Registry } from 'prom-client';
import { RANGE_READ_BYTES, RANGE_READ_SECONDS } from '../prometheus.ts';

/** One sampling interval of range reads (GetObject answered 206), as the console's chart draws it. */
export interface RangeReadSample {
  /** End of the interval (ms since the epoch). */
  readonly at: number;
  readonly intervalMs: number;
  readonly reads: number;
  /** Mean duration of the interval's range reads; null when there were none. */
  readonly meanMs: number | null;
  /** Upper bound of the histogram bucket holding the interval's 95th percentile; null when no reads. */
  readonly p95Ms: number | null;
  /** Body bytes the interval's range reads sent, per second of the interval. */
  readonly bytesPerSecond: number;
}

interface HistogramTotals {
  readonly count: number;
  readonly sum: number;
  /** Cumulative counts by upper bound (seconds), ascending, `+Inf` last. */
  readonly buckets: readonly (readonly [number, number])[];
  readonly bytes: number;
}

/**
 * Samples the gateway's own prom-client range-read histogram and byte counter every
 * `intervalMs` and keeps the differences in a ring of `capacity` samples (bounded memory,
 * oldest dropped). Also samples whether each node is online, for the nodes table's uptime.
 */
export class MetricsSampler {
  readonly #samples: RangeReadSample[] = [];
  readonly #online = new Map<string, { readonly bits: Uint8Array; next: number; count: number; up: number }>();
  #previous: HistogramTotals | null = null;
  #previousAt = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly nodesOnline: () => readonly { readonly id: string; readonly online: boolean }[],
    readonly intervalMs: number,
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Oldest first. */
  samples(): readonly RangeReadSample[] {
    return [...this.#samples];
  }

  /** Share of the node's samples (the last `capacity`) in which it was online; null before the first. */
  uptime(nodeId: string): { readonly fraction: number; readonly samples: number } | null {
    const ring = this.#online.get(nodeId);
    return ring && ring.count > 0 ? { fraction: ring.up / ring.count, samples: ring.count } : null;
  }

  async sample(): Promise<void> {
    const at = this.now();
    for (const node of this.nodesOnline()) this.#recordOnline(node.id, node.online);
    const totals = await this.#readTotals();
    const previous = this.#previous;
    this.#previous = totals;
    const intervalMs = at - this.#previousAt;
    this.#previousAt = at;
    if (!previous || intervalMs <= 0) return;
    const reads = totals.count - previous.count;
    this.#samples.push({
      at,
      intervalMs,
      reads,
      meanMs: reads > 0 ? ((totals.sum - previous.sum) / reads) * 1000 : null,
      p95Ms: reads > 0 ? percentileMs(totals.buckets, previous.buckets, reads, 0.95) : null,
      bytesPerSecond: ((totals.bytes - previous.bytes) * 1000) / intervalMs,
    });
    if (this.#samples.length > this.capacity) this.#samples.shift();
  }

  #recordOnline(nodeId: string, online: boolean): void {
    let ring = this.#online.get(nodeId);
    if (!ring) {
      ring = { bits: new Uint8Array(this.capacity), next: 0, count: 0, up: 0 };
      this.#online.set(nodeId, ring);
    }
    if (ring.count === this.capacity) ring.up -= ring.bits[ring.next]!;
    else ring.count++;
    ring.bits[ring.next] = online ? 1 : 0;
    ring.up += online ? 1 : 0;
    ring.next = (ring.next + 1) % this.capacity;
  }

  async #readTotals(): Promise<HistogramTotals> {
    const histogram = await this.registry.getSingleMetric(RANGE_READ_SECONDS)!.get();
    const bytes = await this.registry.getSingleMetric(RANGE_READ_BYTES)!.get();
    let count = 0;
    let sum = 0;
    const buckets: [number, number][] = [];
    for (const value of histogram.values as MetricValueWithName<string>[]) {
      if (value.metricName === `${RANGE_READ_SECONDS}_count`) count = value.value;
      else if (value.metricName === `${RANGE_READ_SECONDS}_sum`) sum = value.value;
      else if (value.metricName === `${RANGE_READ_SECONDS}_bucket`) {
        const le = value.labels.le;
        buckets.push([le === '+Inf' ? Infinity : Number(le), value.value]);
      }
    }
    buckets.sort(([a], [b]) => a - b);
    return { count, sum, buckets, bytes: bytes.values[0]?.value ?? 0 };
  }
}

/** The upper bound (ms) of the first bucket whose count since `previous` reaches `quantile` of `reads`. */
function percentileMs(
  current: readonly (readonly [number, number])[], previous: readonly (readonly [number, number])[], reads: number, quantile: number,
): number {
  const wanted = Math.ceil(reads * quantile);
  for (let index = 0; index < current.length; index++) {
    const [upperSeconds, cumulative] = current[index]!;
    // Past the largest finite bucket the answer is "at least" that bound.
    if (cumulative - (previous[index]?.[1] ?? 0) >= wanted) return (Number.isFinite(upperSeconds) ? upperSeconds : current[index - 1]![0]) * 1000;
  }
  return current.at(-2)![0] * 1000;
}
