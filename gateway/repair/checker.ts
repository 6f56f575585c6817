import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { totalShards } from '../../src/erasure/profile.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { SegmentPlacement } from '../../src/meta/repair-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeStates } from './node-states.ts';

const BATCH = 256;
const CURSOR_SETTING = 'repair.checker.cursor';

/** Segments on the nodes by healthy shards, as of the checker's last complete pass (inline segments have none and are not counted). */
export interface HealthCensus {
  /** When the pass ended; null before the first one has. */
  readonly completedAt: string | null;
  readonly segments: number;
  /** "healthy/n" → segments, e.g. {"6/6": 120, "5/6": 2}. */
  readonly byHealthyShards: Readonly<Record<string, number>>;
  /** Segments with fewer than k healthy shards: unreadable unless a node comes back. Should be 0. */
  readonly belowDataShards: number;
  /** Data bytes of those segments (before erasure coding; a segment shared by copies counts once). */
  readonly dataBytes: number;
}

/** Healthy shards of a segment: placed on a node that is online or offline for less than the lost-after time. */
export function healthyShardCount(placement: SegmentPlacement, states: NodeStates): number {
  return placement.shards.filter((shard) => states.holdsHealthyShards(shard.nodeId)).length;
}

/**
 * The checker: a background walk over every referenced segment in batches of index seeks (a
 * cursor persisted in the store, so a restart resumes where it stopped; memory is one batch),
 * queueing each segment with fewer than n healthy shards. A pass starts every
 * `--repair-check-interval`, or at once on `kick()`.
 */
export class Checker {
  #census: HealthCensus = { completedAt: null, segments: 0, byHealthyShards: {}, belowDataShards: 0, dataBytes: 0 };
  #stopped = false;
  #wake: (() => void) | null = null;
  #kicked = false;
  #loop: Promise<void> | null = null;

  constructor(
    private readonly deps: { store: MetaStore; states: NodeStates; logger: Logger; now: () => Date },
    private readonly intervalMs: number,
    private readonly onQueued: () => void,
  ) {}

  get census(): HealthCensus {
    return this.#census;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Start a pass now (or right after the one running). */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  /** Queues every segment with a shard on the node (drain, forget, disqualification), in batches. Returns how many. */
  async queueSegmentsOnNode(nodeId: string): Promise<number> {
    let queued = 0;
    for (let cursor = 0; !this.#stopped;) {
      const page = await this.deps.store.scanSegments(cursor, BATCH, nodeId);
      if (page.length === 0) break;
      for (const segment of page) {
        await this.deps.store.enqueueRepair({ segmentId: segment.segmentId, healthyShards: healthyShardCount(segment, this.deps.states) }, this.deps.now());
        queued++;
      }
      cursor = page.at(-1)!.cursor;
      this.onQueued();
    }
    return queued;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#kicked = false;
      try {
        await this.#pass();
      } catch (error) {
        this.deps.logger.error('repair_checker_failed', { error: (error as Error).message });
      }
      if (!this.#kicked) await this.#sleep(this.intervalMs);
    }
  }

  async #pass(): Promise<void> {
    const { store, states, now } = this.deps;
    let cursor = Number(await store.getSetting(CURSOR_SETTING) ?? 0) || 0;
    const resumed = cursor > 0;
    const histogram: Record<string, number> = {};
    let segments = 0;
    let belowDataShards = 0;
    let dataBytes = 0;
    let queued = 0;
    while (!this.#stopped) {
      const page = await store.scanSegments(cursor, BATCH);
      if (page.length === 0) break;
      for (const segment of page) {
        const n = totalShards(segment.profile);
        const healthy = healthyShardCount(segment, states);
        const label = `${healthy}/${n}`;
        histogram[label] = (histogram[label] ?? 0) + 1;
        segments++;
        dataBytes += segment.length;
        if (healthy < segment.profile.dataShards) belowDataShards++;
        if (healthy < n) {
          await store.enqueueRepair({ segmentId: segment.segmentId, healthyShards: healthy }, now());
          queued++;
        }
      }
      cursor = page.at(-1)!.cursor;
      await store.setSetting(CURSOR_SETTING, String(cursor));
      if (queued > 0) this.onQueued();
      await yieldToEventLoop();
    }
    if (this.#stopped) return;
    await store.setSetting(CURSOR_SETTING, '0');
    // A pass resumed after a restart saw only part of the segments: its census would undercount.
    if (!resumed) this.#census = { completedAt: now().toISOString(), segments, byHealthyShards: histogram, belowDataShards, dataBytes };
    if (queued > 0) this.deps.logger.info('repair_checker_pass', { segments, queued, belowDataShards });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#wake = null; resolve(); }, ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}
