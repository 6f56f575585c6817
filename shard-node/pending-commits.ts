/**
 * Uploads a node has received but whose commit has not come yet. A gateway commits a segment's
 * shards only once all of them are uploaded, so during a drain an upload can end (nothing in
 * flight) a moment before its commit arrives: the drain waits for those commits too, for at most
 * `windowMs` after the upload ended (a write that failed elsewhere never commits).
 */
import type { RequestObservation } from './node-metrics.ts';

const SHARD_PATH = /^\/shards\/([^/]+)(\/commit)?$/;

export class PendingCommits {
  readonly #finishedAtMs = new Map<string, number>();

  constructor(private readonly nowMs: () => number, private readonly windowMs = 10_000) {}

  readonly observe = (observation: RequestObservation): void => {
    const match = SHARD_PATH.exec(observation.path);
    if (!match) return;
    const shardId = match[1]!;
    if (match[2] !== undefined && observation.method === 'POST') this.#finishedAtMs.delete(shardId);
    else if (observation.method === 'PUT' && observation.status === 200) this.#finishedAtMs.set(shardId, this.nowMs());
    this.#expire();
  };

  /** Uploads still waiting for their commit within the window. */
  get count(): number {
    this.#expire();
    return this.#finishedAtMs.size;
  }

  /** Resolves when no upload waits for its commit (each waits at most the window). */
  async settled(): Promise<void> {
    while (this.count > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  #expire(): void {
    const oldest = this.nowMs() - this.windowMs;
    for (const [shardId, finishedAtMs] of this.#finishedAtMs) if (finishedAtMs < oldest) this.#finishedAtMs.delete(shardId);
  }
}
