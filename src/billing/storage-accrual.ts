import type { StorageEvent, TimeWindow } from '../meta/usage-types.ts';

/** Storage of one bucket over a window, in byte-milliseconds (exact). */
export interface BucketStorage {
  readonly bucket: string;
  /** Actual bytes × time: objects and in-progress multipart parts. */
  readonly storedByteMs: bigint;
  /** The part of `storedByteMs` that in-progress multipart parts account for. */
  readonly partByteMs: bigint;
  /** What the floor adds: Σ (max(size, floor) − size) × time over objects below the floor. */
  readonly floorByteMs: bigint;
  /** Object versions smaller than the floor that were stored at some time inside the window. */
  readonly objectsBelowFloor: number;
}

interface Totals {
  storedByteMs: bigint;
  partByteMs: bigint;
  floorByteMs: bigint;
  objectsBelowFloor: number;
}

/**
 * Folds storage events, oldest first, into exact per-bucket storage for `window`. Feed it every
 * event of the account strictly before `window.to` (events at or after it change nothing inside
 * the window); memory is one entry per bucket, whatever the number of events.
 *
 * Each event ends one lifetime (old size) and starts another (new size). Stored bytes at time t are
 * Σ over events at or before t of (new − old), so the integral over [from, to) is
 * Σ_e (new_e − old_e) · (to − max(at_e, from)): a lifetime [s, e) contributes exactly
 * size · |[s, e) ∩ [from, to)|. The floor is the same sum over max(size, floor) − size for objects.
 */
export class StorageAccrual {
  readonly #fromMs: number;
  readonly #toMs: number;
  readonly #floorBytes: number;
  readonly #buckets = new Map<string, Totals>();

  constructor(window: TimeWindow, floorBytes: number) {
    this.#fromMs = window.from.getTime();
    this.#toMs = window.to.getTime();
    this.#floorBytes = floorBytes;
  }

  add(event: StorageEvent): void {
    const atMs = event.at.getTime();
    if (atMs >= this.#toMs) return;
    const remainingMs = BigInt(this.#toMs - Math.max(atMs, this.#fromMs));
    const totals = this.#totals(event.bucket);
    const oldSize = event.oldSize ?? 0;
    const newSize = event.newSize ?? 0;
    const storedDelta = BigInt(newSize - oldSize) * remainingMs;
    totals.storedByteMs += storedDelta;
    if (event.item === 'part') {
      totals.partByteMs += storedDelta;
      return;
    }
    const floorDelta = this.#belowFloor(event.newSize) - this.#belowFloor(event.oldSize);
    totals.floorByteMs += BigInt(floorDelta) * remainingMs;
    // A small version overlaps the window when it started before `to` and did not end by `from`.
    if (event.newSize !== null && event.newSize < this.#floorBytes) totals.objectsBelowFloor += 1;
    if (event.oldSize !== null && event.oldSize < this.#floorBytes && atMs <= this.#fromMs) totals.objectsBelowFloor -= 1;
  }

  /** Buckets in name order; buckets whose storage is all zero in the window are left out. */
  buckets(): BucketStorage[] {
    return [...this.#buckets.entries()]
      .filter(([, totals]) => totals.storedByteMs !== 0n || totals.floorByteMs !== 0n || totals.objectsBelowFloor !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([bucket, totals]) => ({ bucket, ...totals }));
  }

  /** The bytes the floor adds to an object of `size` (0 for none). */
  #belowFloor(size: number | null): number {
    return size === null ? 0 : Math.max(0, this.#floorBytes - size);
  }

  #totals(bucket: string): Totals {
    let totals = this.#buckets.get(bucket);
    if (!totals) {
      totals = { storedByteMs: 0n, partByteMs: 0n, floorByteMs: 0n, objectsBelowFloor: 0 };
      this.#buckets.set(bucket, totals);
    }
    return totals;
  }
}
