/**
 * Where one request's time went, in stages: what the opt-in `Server-Timing` response header
 * (`--server-timing`) and the request log line's `stagesMs` show. A leaf module: the read path
 * imports only this.
 *
 * Cheap by construction: one object per request holding plain numbers, filled by
 * `performance.now()` marks; nothing is allocated per chunk. All durations are milliseconds.
 *
 * Stages (each appears once it was recorded; a GetObject that reads shards records all of them):
 * - `auth`: SigV4 verification and the access key lookup;
 * - `metadata`: time awaiting the metadata store (bucket, object, segments; the sum of the calls);
 * - `plan`: resolving what to read: an archive member's entry (the central directory, loaded once
 *   per archive version, and the member's local header the first time it is served) and the
 *   shard window plan;
 * - `hash-list`: wall time during which a shard hash list was being fetched (0: all were cached);
 * - `shard-first-byte`: from the first shard request of the body to the first shard byte back;
 * - `verify`: BLAKE3 time checking chunks (in the header: up to the first client byte);
 * - `first-byte`: request start to the first verified body bytes ready, when the status line goes
 *   out (the header is written then, so it cannot hold later stages);
 * - `total` (log line only): request start to the last byte, when the response is closed.
 */
export class RequestTiming {
  readonly startedAt = performance.now();
  authMs = -1;
  metadataMs = -1;
  planMs = -1;
  hashListMs = -1;
  verifyMs = -1;
  /** When the first shard request of the body was made / its first byte arrived (absolute marks; 0: not yet). */
  shardRequestAt = 0;
  shardFirstByteAt = 0;
  /** When the status line (and the first body bytes) went out; 0: not yet. */
  headersAt = 0;
  #hashListsPending = 0;
  #hashListsSince = 0;

  /** Adds `since` → now to a stage: `timing.add('metadata', started)`. */
  add(stage: SummedStage, since: number): void {
    const ms = performance.now() - since;
    const field = STAGE_FIELDS[stage];
    this[field] = Math.max(this[field], 0) + ms;
  }

  /** Marks a stage as taking part with no time (a hash list found in the cache). */
  touch(stage: SummedStage): void {
    const field = STAGE_FIELDS[stage];
    if (this[field] < 0) this[field] = 0;
  }

  /** A hash list fetch starts; overlapping fetches count once (wall time with any fetch in flight). */
  hashListFetchStarted(): void {
    if (this.#hashListsPending++ === 0) this.#hashListsSince = performance.now();
  }

  hashListFetchEnded(): void {
    if (--this.#hashListsPending === 0) this.add('hash-list', this.#hashListsSince);
  }

  shardRequested(): void {
    if (this.shardRequestAt === 0) this.shardRequestAt = performance.now();
  }

  shardByteArrived(): void {
    if (this.shardFirstByteAt === 0 && this.shardRequestAt !== 0) this.shardFirstByteAt = performance.now();
  }

  headersSent(): void {
    if (this.headersAt === 0) this.headersAt = performance.now();
  }

  /** The stages recorded so far, as `[name, ms]` in pipeline order; `total` when `finishedAt` is given. */
  stages(finishedAt?: number): Array<[StageName, number]> {
    const stages: Array<[StageName, number]> = [];
    if (this.authMs >= 0) stages.push(['auth', this.authMs]);
    if (this.metadataMs >= 0) stages.push(['metadata', this.metadataMs]);
    if (this.planMs >= 0) stages.push(['plan', this.planMs]);
    if (this.hashListMs >= 0 || this.#hashListsPending > 0) {
      const inFlightMs = this.#hashListsPending > 0 ? performance.now() - this.#hashListsSince : 0;
      stages.push(['hash-list', Math.max(this.hashListMs, 0) + inFlightMs]);
    }
    if (this.shardFirstByteAt !== 0) stages.push(['shard-first-byte', this.shardFirstByteAt - this.shardRequestAt]);
    if (this.verifyMs >= 0) stages.push(['verify', this.verifyMs]);
    if (this.headersAt !== 0) stages.push(['first-byte', this.headersAt - this.startedAt]);
    if (finishedAt !== undefined) stages.push(['total', finishedAt - this.startedAt]);
    return stages;
  }

  /** The `Server-Timing` header value: `auth;dur=0.41, metadata;dur=0.12, …` (RFC: `name;dur=ms`). */
  serverTimingHeader(): string {
    return this.stages().map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(', ');
  }

  /** The stages for the request log line, rounded to 0.01 ms. */
  logFields(finishedAt: number): Record<string, number> {
    const fields: Record<string, number> = {};
    for (const [name, ms] of this.stages(finishedAt)) fields[name] = Math.round(ms * 100) / 100;
    return fields;
  }
}

export type SummedStage = 'auth' | 'metadata' | 'plan' | 'hash-list' | 'verify';
export type StageName = SummedStage | 'shard-first-byte' | 'first-byte' | 'total';

/** Every stage name, in pipeline order. */
export const STAGE_NAMES: readonly StageName[] = ['auth', 'metadata', 'plan', 'hash-list', 'shard-first-byte', 'verify', 'first-byte', 'total'];

const STAGE_FIELDS = {
  auth: 'authMs', metadata: 'metadataMs', plan: 'planMs', 'hash-list': 'hashListMs', verify: 'verifyMs',
} as const satisfies Record<SummedStage, keyof RequestTiming>;

/**
 * Runs and awaits `work`, adding its time to `stage` of `timing` (when there is one). A function,
 * not a promise: the SQLite store does its work synchronously when called.
 */
export async function timed<T>(timing: RequestTiming | undefined, stage: SummedStage, work: () => Promise<T>): Promise<T> {
  if (!timing) return work();
  const since = performance.now();
  try {
    return await work();
  } finally {
    timing.add(stage, since);
  }
}
