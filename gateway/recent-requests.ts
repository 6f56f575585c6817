/**
 * S3 requests of the last few minutes by status class, for the error rate `shardgate status`
 * shows: a ring of 10-second buckets, so memory is fixed whatever the traffic.
 */
const BUCKET_MS = 10_000;
const BUCKETS = 30;

export interface RecentRequestCounts {
  /** The window the counts cover (up to 5 minutes; less just after a start). */
  readonly windowSeconds: number;
  readonly total: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  /** 5xx answers per request answered in the window (0 without requests). */
  readonly serverErrorRate: number;
}

export class RecentRequests {
  readonly #slots = Array.from({ length: BUCKETS }, () => ({ slot: -1, total: 0, clientErrors: 0, serverErrors: 0 }));
  readonly #startedMs: number;

  constructor(private readonly nowMs: () => number) {
    this.#startedMs = nowMs();
  }

  record(status: number): void {
    const slot = Math.floor(this.nowMs() / BUCKET_MS);
    const bucket = this.#slots[slot % BUCKETS]!;
    if (bucket.slot !== slot) Object.assign(bucket, { slot, total: 0, clientErrors: 0, serverErrors: 0 });
    bucket.total++;
    if (status >= 400 && status < 500) bucket.clientErrors++;
    if (status >= 500) bucket.serverErrors++;
  }

  counts(): RecentRequestCounts {
    const nowMs = this.nowMs();
    const current = Math.floor(nowMs / BUCKET_MS);
    let total = 0;
    let clientErrors = 0;
    let serverErrors = 0;
    for (const bucket of this.#slots) {
      if (bucket.slot <= current - BUCKETS || bucket.slot > current) continue;
      total += bucket.total;
      clientErrors += bucket.clientErrors;
      serverErrors += bucket.serverErrors;
    }
    const windowSeconds = Math.round(Math.min(BUCKETS * BUCKET_MS, nowMs - this.#startedMs) / 1000);
    return { windowSeconds, total, clientErrors, serverErrors, serverErrorRate: total === 0 ? 0 : serverErrors / total };
  }
}
