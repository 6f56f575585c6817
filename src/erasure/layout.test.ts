import test from 'ava';
import type { Span } from '../span.ts';
import {
  chunkSpan,
  columnsToStripes,
  planSegmentRead,
  segmentsForRange,
  shardFileLength,
  sliceOfChunk,
  stripeCount,
  stripesToColumns,
  type SegmentRange,
  type SegmentReadPlan,
} from './layout.ts';
import type { ErasureProfile } from './profile.ts';

// k=4, c=64: a stripe is 256 bytes; data chunk g = s·4 + j covers [64g, 64g + 64).
const P4: ErasureProfile = { dataShards: 4, parityShards: 2, chunkSize: 64 };
const P2: ErasureProfile = { dataShards: 2, parityShards: 1, chunkSize: 128 };

const span = (offset: number, length: number): Span => ({ offset, length });
/** A window of `count` stripes from `first` on shard `j`, for profile P4. */
const w4 = (j: number, first: number, count: number) => ({
  shardIndex: j, firstStripe: first, stripeCount: count, offset: first * 64, length: count * 64,
});

test('stripeCount and shardFileLength round up to whole stripes', (t) => {
  const cases: [number, number][] = [[0, 0], [1, 1], [255, 1], [256, 1], [257, 2], [1000, 4], [1024, 4]];
  for (const [segmentLength, stripes] of cases) {
    t.is(stripeCount(P4, segmentLength), stripes, `stripeCount(${segmentLength})`);
    t.is(shardFileLength(P4, segmentLength), stripes * 64, `shardFileLength(${segmentLength})`);
  }
});

test('chunkSpan lays data chunks out back to back', (t) => {
  t.deepEqual(chunkSpan(P4, 0, 0), span(0, 64));
  t.deepEqual(chunkSpan(P4, 0, 3), span(192, 64));
  t.deepEqual(chunkSpan(P4, 2, 3), span(704, 64));
  t.deepEqual(chunkSpan(P2, 5, 1), span(1408, 128));
});

const plans = test.macro<[ErasureProfile, number, Span, SegmentReadPlan]>({
  exec(t, profile, segmentLength, range, expected) {
    t.deepEqual(planSegmentRead(profile, segmentLength, range), expected);
  },
  title: (given = '', _profile, segmentLength, range) =>
    `planSegmentRead ${given} (segment ${segmentLength}, range ${range.offset}+${range.length})`,
});

test('inside one chunk: one window of one chunk', plans, P4, 1000, span(10, 20), {
  firstStripe: 0, stripeCount: 1, windows: [w4(0, 0, 1)],
});
test('exactly one chunk', plans, P4, 1000, span(64, 64), {
  firstStripe: 0, stripeCount: 1, windows: [w4(1, 0, 1)],
});
test('across a chunk boundary', plans, P4, 1000, span(60, 10), {
  firstStripe: 0, stripeCount: 1, windows: [w4(0, 0, 1), w4(1, 0, 1)],
});
test('one whole stripe', plans, P4, 1000, span(256, 256), {
  firstStripe: 1, stripeCount: 1, windows: [w4(0, 1, 1), w4(1, 1, 1), w4(2, 1, 1), w4(3, 1, 1)],
});
test('across a stripe boundary: last chunk of one stripe, first of the next', plans, P4, 1000, span(250, 10), {
  firstStripe: 0, stripeCount: 2, windows: [w4(0, 1, 1), w4(3, 0, 1)],
});
test('three partial stripes: each shard only where it intersects', plans, P4, 1000, span(200, 400), {
  // chunks 3..9: stripe 0 chunk 3; stripe 1 chunks 0-3; stripe 2 chunks 0-1.
  firstStripe: 0, stripeCount: 3, windows: [w4(0, 1, 2), w4(1, 1, 2), w4(2, 1, 1), w4(3, 0, 2)],
});
test('whole segment with a padded last stripe', plans, P4, 1000, span(0, 1000), {
  firstStripe: 0, stripeCount: 4, windows: [w4(0, 0, 4), w4(1, 0, 4), w4(2, 0, 4), w4(3, 0, 4)],
});
test('last byte of the segment', plans, P4, 1000, span(999, 1), {
  firstStripe: 3, stripeCount: 1, windows: [w4(3, 3, 1)],
});
test('k=2: from the middle of chunk 1 to the middle of chunk 4', plans, P2, 1000, span(200, 400), {
  // chunks 1..4 = (s0,j1) (s1,j0) (s1,j1) (s2,j0)
  firstStripe: 0, stripeCount: 3, windows: [
    { shardIndex: 0, firstStripe: 1, stripeCount: 2, offset: 128, length: 256 },
    { shardIndex: 1, firstStripe: 0, stripeCount: 2, offset: 0, length: 256 },
  ],
});

test('planSegmentRead refuses empty ranges and ranges outside the segment', (t) => {
  for (const range of [span(0, 0), span(999, 2), span(1000, 1), span(-1, 5)]) {
    t.throws(() => planSegmentRead(P4, 1000, range), { instanceOf: RangeError }, `${range.offset}+${range.length}`);
  }
});

const slices = test.macro<[number, number, Span, Span | null]>({
  exec(t, stripeIndex, shardIndex, range, expected) {
    t.deepEqual(sliceOfChunk(P4, stripeIndex, shardIndex, range), expected);
  },
  title: (given = '', stripeIndex, shardIndex, range) =>
    `sliceOfChunk ${given} (chunk ${stripeIndex}/${shardIndex}, range ${range.offset}+${range.length})`,
});

test('range inside the chunk', slices, 0, 0, span(10, 20), span(10, 20));
test('range inside another chunk', slices, 0, 1, span(10, 20), null);
test('range ends just past a chunk start', slices, 1, 0, span(250, 10), span(0, 4));
test('range starts just before a chunk end', slices, 0, 3, span(250, 10), span(58, 6));
test('range covers the chunk', slices, 1, 2, span(0, 1000), span(0, 64));
test('range ends at the chunk start', slices, 0, 1, span(0, 64), null);
test('range starts at the chunk end', slices, 0, 1, span(128, 10), null);

const splits = test.macro<[readonly Span[], Span, SegmentRange[]]>({
  exec(t, segments, range, expected) {
    t.deepEqual(segmentsForRange(segments, range), expected);
  },
  title: (given = '', _segments, range) => `segmentsForRange ${given} (range ${range.offset}+${range.length})`,
});
const THREE = [span(0, 100), span(100, 100), span(200, 50)];
const part = (segmentIndex: number, offset: number, length: number): SegmentRange => ({ segmentIndex, range: span(offset, length) });

test('whole object', splits, THREE, span(0, 250), [part(0, 0, 100), part(1, 0, 100), part(2, 0, 50)]);
test('two partial segments', splits, THREE, span(150, 100), [part(1, 50, 50), part(2, 0, 50)]);
test('two bytes across a boundary', splits, THREE, span(99, 2), [part(0, 99, 1), part(1, 0, 1)]);
test('exactly one segment', splits, THREE, span(100, 100), [part(1, 0, 100)]);
test('clipped at the end of the object', splits, THREE, span(240, 20), [part(2, 40, 10)]);
test('past the end of the object', splits, THREE, span(250, 10), []);
test('no segments', splits, [], span(0, 1), []);
test('empty segments are left out', splits, [span(0, 0), span(0, 10), span(10, 0)], span(0, 20), [part(1, 0, 10)]);
test(
  'many segments (binary search)',
  splits,
  Array.from({ length: 1000 }, (_, i) => span(i * 10, 10)),
  span(5005, 20),
  [part(500, 5, 5), part(501, 0, 10), part(502, 0, 5)],
);

test('stripesToColumns puts chunk j of every stripe in column j and zero-pads', (t) => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i % 255) + 1);
  const columns = stripesToColumns(P4, data);
  t.is(columns.length, 4);
  for (const column of columns) t.is(column.length, 128);
  t.deepEqual(columns[0]!.subarray(0, 64), data.subarray(0, 64));
  t.deepEqual(columns[0]!.subarray(64, 108), data.subarray(256, 300));
  t.true(columns[0]!.subarray(108).every((byte) => byte === 0));
  t.deepEqual(columns[3]!.subarray(0, 64), data.subarray(192, 256));
  t.true(columns[3]!.subarray(64).every((byte) => byte === 0));
  const stripes = columnsToStripes(P4, columns);
  t.is(stripes.length, 512);
  t.deepEqual(stripes.subarray(0, 300), data);
  t.true(stripes.subarray(300).every((byte) => byte === 0));
});

test('stripesToColumns of nothing is k empty columns', (t) => {
  t.deepEqual(stripesToColumns(P4, new Uint8Array(0)), Array.from({ length: 4 }, () => new Uint8Array(0)));
});

test('columnsToStripes refuses a wrong column count or unequal or unaligned lengths', (t) => {
  const column = (length: number) => new Uint8Array(length);
  for (const columns of [[column(64), column(64), column(64)], [column(64), column(64), column(64), column(128)], Array.from({ length: 4 }, () => column(65))]) {
    t.throws(() => columnsToStripes(P4, columns), { instanceOf: RangeError });
  }
});
