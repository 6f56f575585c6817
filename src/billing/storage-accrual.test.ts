import test from 'ava';
import type { StorageEvent, StorageItem } from '../meta/usage-types.ts';
import { StorageAccrual } from './storage-accrual.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

const FLOOR = 1000;
const HOUR = 3_600_000;

function event(at: number, oldSize: number | null, newSize: number | null, options: { bucket?: string; key?: string; item?: StorageItem } = {}): StorageEvent {
  return {
    accountId: 'a', bucket: options.bucket ?? 'b', key: options.key ?? 'k', item: options.item ?? 'object',
    uploadId: null, partNumber: null, cause: 'put', oldSize, newSize, at: new Date(at),
  };
}

function accrue(events: readonly StorageEvent[], from: number, to: number, floor = FLOOR) {
  const accrual = new StorageAccrual({ from: new Date(from), to: new Date(to) }, floor);
  for (const item of events) accrual.add(item);
  return accrual.buckets();
}

const accrues = test.macro((t, events: StorageEvent[], window: [number, number], expected: { stored: bigint; floor: bigint; below: number; part?: bigint } | null) => {
  const [bucket] = accrue(events, window[0], window[1]);
  if (expected === null) return t.is(bucket, undefined);
  t.deepEqual(bucket, { bucket: 'b', storedByteMs: expected.stored, partByteMs: expected.part ?? 0n, floorByteMs: expected.floor, objectsBelowFloor: expected.below });
});

test('an object stored through the whole window', accrues, [event(0, null, 5000)], [HOUR, 2 * HOUR], { stored: 5000n * BigInt(HOUR), floor: 0n, below: 0 });
test('a small object is topped up to the floor', accrues, [event(0, null, 100)], [0, HOUR], { stored: 100n * BigInt(HOUR), floor: 900n * BigInt(HOUR), below: 1 });
test('an empty object is billed as the floor', accrues, [event(0, null, 0)], [0, 10], { stored: 0n, floor: 10_000n, below: 1 });
test('an object exactly at the floor adds nothing', accrues, [event(0, null, FLOOR)], [0, 10], { stored: 10_000n, floor: 0n, below: 0 });
test('created inside the window', accrues, [event(40, null, 2000)], [0, 100], { stored: 2000n * 60n, floor: 0n, below: 0 });
test('deleted inside the window', accrues, [event(0, null, 2000), event(30, 2000, null)], [10, 100], { stored: 2000n * 20n, floor: 0n, below: 0 });
test('deleted before the window', accrues, [event(0, null, 200), event(10, 200, null)], [10, 100], null);
test('created at the end of the window (half-open)', accrues, [event(100, null, 200)], [0, 100], null);
test('created after the window', accrues, [event(150, null, 200)], [0, 100], null);
test('small → large → small overwrite', accrues,
  [event(10, null, 100), event(20, 100, 5000), event(30, 5000, 100)], [0, 40],
  { stored: 100n * 10n + 5000n * 10n + 100n * 10n, floor: 900n * 20n, below: 2 });
test('a part is billed at its actual size, no floor', accrues,
  [event(0, null, 100, { item: 'part' }), event(50, 100, null, { item: 'part' })], [0, 100],
  { stored: 100n * 50n, floor: 0n, below: 0, part: 100n * 50n });
test('a zero-length life inside the window counts as an object but costs nothing', accrues,
  [event(50, null, 10), event(50, 10, null)], [0, 100], { stored: 0n, floor: 0n, below: 1 });

test('buckets are separate and sorted by name; events at or after `to` are ignored', (t) => {
  const buckets = accrue([
    event(0, null, 10, { bucket: 'zeta' }),
    event(0, null, 2000, { bucket: 'alpha' }),
    event(100, null, 99_999, { bucket: 'later' }),
  ], 0, 100);
  t.deepEqual(buckets.map((bucket) => [bucket.bucket, bucket.storedByteMs, bucket.floorByteMs]), [
    ['alpha', 200_000n, 0n],
    ['zeta', 1_000n, 99_000n],
  ]);
});

test('byte-ms are exact far past 2^53: a 5 TiB object for a year', (t) => {
  const size = 5 * 1024 ** 4;
  const year = 365 * 24 * HOUR;
  const [bucket] = accrue([event(0, null, size)], 0, year);
  t.is(bucket!.storedByteMs, BigInt(size) * BigInt(year));
  t.true(bucket!.storedByteMs > BigInt(Number.MAX_SAFE_INTEGER) * 1000n);
});

test('seeded sweep: the event sum equals Σ billable size × overlap of every lifetime, for any window', (t) => {
  for (let seed = 1; seed <= 40; seed += 1) {
    const random = mulberry32(seed);
    const int = (limit: number) => Math.floor(random() * limit);
    const events: StorageEvent[] = [];
    const lifetimes: { start: number; end: number; size: number; item: StorageItem }[] = [];
    const current = new Map<string, { start: number; size: number; item: StorageItem }>();
    let time = 0;
    for (let step = 0; step < 60; step += 1) {
      time += int(4); // ties happen
      const key = `k${int(5)}`;
      const item: StorageItem = key === 'k4' ? 'part' : 'object';
      const live = current.get(key);
      const remove = live !== undefined && random() < 0.3;
      const size = remove ? null : [0, 1, 999, 1000, 1001, 5000][int(6)]!;
      events.push(event(time, live?.size ?? null, size, { key, item }));
      if (live) lifetimes.push({ start: live.start, end: time, size: live.size, item });
      if (size === null) current.delete(key);
      else current.set(key, { start: time, size, item });
    }
    for (const [, live] of current) lifetimes.push({ start: live.start, end: Number.POSITIVE_INFINITY, size: live.size, item: live.item });
    for (let trial = 0; trial < 10; trial += 1) {
      const from = int(time + 10);
      const to = from + 1 + int(time + 10 - from);
      let stored = 0n;
      let floor = 0n;
      let below = 0;
      for (const life of lifetimes) {
        const overlap = BigInt(Math.max(0, Math.min(life.end, to) - Math.max(life.start, from)));
        stored += BigInt(life.size) * overlap;
        if (life.item === 'object') {
          floor += BigInt(Math.max(0, FLOOR - life.size)) * overlap;
          if (life.size < FLOOR && life.start < to && life.end > from) below += 1;
        }
      }
      const [bucket] = accrue(events, from, to);
      const label = `seed ${seed} window [${from}, ${to})`;
      t.is(bucket?.storedByteMs ?? 0n, stored, label);
      t.is(bucket?.floorByteMs ?? 0n, floor, label);
      t.is(bucket?.objectsBelowFloor ?? 0, below, label);
    }
  }
});
