/**
 * Segment layout math: where the bytes of a segment live in its shard files. Pure, no I/O.
 *
 * A segment of `segmentLength` data bytes is cut into stripes of `k·c` bytes (the last one
 * zero-padded); data chunk j of stripe s holds segment bytes `[s·k·c + j·c, s·k·c + (j+1)·c)`,
 * so numbering the data chunks `g = s·k + j` lays them out back to back. Shard file i is chunk i
 * of every stripe, concatenated: stripe s of any shard sits at file bytes `[s·c, (s+1)·c)`.
 *
 * Every function here trusts a valid profile (see `validateProfile`) and integer arguments.
 */
import { intersectSpans, spanEnd } from '../span.ts';
import type { Span } from '../span.ts';
import { stripeSize } from './profile.ts';
import type { ErasureProfile } from './profile.ts';

/** Stripes a segment occupies, the last one possibly part padding; 0 for an empty segment. */
export function stripeCount(profile: ErasureProfile, segmentLength: number): number {
  return Math.ceil(segmentLength / stripeSize(profile));
}

/** Length in bytes of every shard file (data and parity alike) of a segment. */
export function shardFileLength(profile: ErasureProfile, segmentLength: number): number {
  return stripeCount(profile, segmentLength) * profile.chunkSize;
}

/**
 * Segment-relative bytes of data chunk `(stripeIndex, shardIndex)`.
 * Precondition: `shardIndex < dataShards` (parity chunks hold no segment bytes). In the last
 * stripe the span may run past the end of the segment into padding.
 */
export function chunkSpan(profile: ErasureProfile, stripeIndex: number, shardIndex: number): Span {
  const { dataShards, chunkSize } = profile;
  return { offset: (stripeIndex * dataShards + shardIndex) * chunkSize, length: chunkSize };
}

/** A chunk-aligned byte window of one shard file covering whole stripes. */
export interface ShardWindow {
  readonly shardIndex: number;
  readonly firstStripe: number;
  readonly stripeCount: number;
  /** Shard-file offset: `firstStripe · chunkSize`. */
  readonly offset: number;
  /** `stripeCount · chunkSize`. */
  readonly length: number;
}

/**
 * The window of shard file `shardIndex` (data or parity) holding stripes
 * `[firstStripe, firstStripe + stripeCount)`. A degraded read asks other shards for the same
 * stripes as the failed window with this. Precondition: `stripeCount ≥ 1`.
 */
export function shardWindow(
  profile: ErasureProfile,
  shardIndex: number,
  firstStripe: number,
  stripeCount: number,
): ShardWindow {
  const { chunkSize } = profile;
  return { shardIndex, firstStripe, stripeCount, offset: firstStripe * chunkSize, length: stripeCount * chunkSize };
}

/** What to fetch to serve one range of one segment when every data shard answers. */
export interface SegmentReadPlan {
  /** The stripes the range touches: `[firstStripe, firstStripe + stripeCount)`. */
  readonly firstStripe: number;
  readonly stripeCount: number;
  /** One window per data shard holding any byte of the range, by ascending shard index. */
  readonly windows: readonly ShardWindow[];
}

/**
 * Maps a segment-relative range to one contiguous window per data shard, each covering exactly
 * the stripes in which that shard's chunk intersects the range (a range inside one chunk gives
 * one window of one chunk). Trim the fetched windows with `sliceOfChunk`.
 * Precondition: `range` is non-empty and inside `[0, segmentLength)`; throws RangeError if not.
 */
export function planSegmentRead(profile: ErasureProfile, segmentLength: number, range: Span): SegmentReadPlan {
  if (!(range.length > 0 && range.offset >= 0 && spanEnd(range) <= segmentLength)) {
    throw new RangeError(`range ${range.offset}+${range.length} is empty or outside a segment of ${segmentLength} bytes`);
  }
  const { dataShards, chunkSize } = profile;
  // Data chunks g = s·k + j are laid out back to back, so the range touches chunks g0..g1.
  const firstChunk = Math.floor(range.offset / chunkSize);
  const lastChunk = Math.floor((spanEnd(range) - 1) / chunkSize);
  const firstStripe = Math.floor(firstChunk / dataShards);
  const lastStripe = Math.floor(lastChunk / dataShards);
  const windows: ShardWindow[] = [];
  for (let shardIndex = 0; shardIndex < dataShards; shardIndex++) {
    // Shard j's chunk in the first stripe precedes the range when j < g0 mod k; in the last
    // stripe it follows the range when j > g1 mod k.
    const from = firstStripe + (shardIndex < firstChunk % dataShards ? 1 : 0);
    const to = lastStripe - (shardIndex > lastChunk % dataShards ? 1 : 0);
    if (from <= to) windows.push(shardWindow(profile, shardIndex, from, to - from + 1));
  }
  return { firstStripe, stripeCount: lastStripe - firstStripe + 1, windows };
}

/**
 * The bytes of data chunk `(stripeIndex, shardIndex)` that belong to the segment-relative
 * `range`, as a chunk-relative span; null when the chunk holds none of them.
 * Precondition: `shardIndex < dataShards`.
 */
export function sliceOfChunk(profile: ErasureProfile, stripeIndex: number, shardIndex: number, range: Span): Span | null {
  const chunk = chunkSpan(profile, stripeIndex, shardIndex);
  const overlap = intersectSpans(chunk, range);
  return overlap ? { offset: overlap.offset - chunk.offset, length: overlap.length } : null;
}

/** The part of a range that falls in one segment. */
export interface SegmentRange {
  readonly segmentIndex: number;
  /** Segment-relative. */
  readonly range: Span;
}

/**
 * Splits an object-relative range over the object's segments, in order; segments the range
 * does not reach (and empty segments) are left out.
 * Precondition: `segments` are sorted and contiguous (each starts where the previous ends).
 */
export function segmentsForRange(segments: readonly Span[], range: Span): SegmentRange[] {
  // Binary search for the first segment ending after the range starts.
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (spanEnd(segments[middle]!) <= range.offset) low = middle + 1;
    else high = middle;
  }
  const parts: SegmentRange[] = [];
  for (let segmentIndex = low; segmentIndex < segments.length; segmentIndex++) {
    const segment = segments[segmentIndex]!;
    if (segment.offset >= spanEnd(range)) break;
    const overlap = intersectSpans(segment, range);
    if (overlap) parts.push({ segmentIndex, range: { offset: overlap.offset - segment.offset, length: overlap.length } });
  }
  return parts;
}

/**
 * Splits stripe-ordered segment bytes into the k data columns of one encoding batch: column j is
 * chunk j of each stripe, concatenated. A trailing partial stripe is zero-padded, so every column
 * is `ceil(data.length / (k·c)) · c` bytes. Copies each byte once.
 */
export function stripesToColumns(profile: ErasureProfile, data: Uint8Array): Uint8Array[] {
  const { dataShards, chunkSize } = profile;
  const stripes = stripeCount(profile, data.length);
  const columns = Array.from({ length: dataShards }, () => new Uint8Array(stripes * chunkSize));
  for (let stripeIndex = 0; stripeIndex < stripes; stripeIndex++) {
    for (let shardIndex = 0; shardIndex < dataShards; shardIndex++) {
      const offset = (stripeIndex * dataShards + shardIndex) * chunkSize;
      if (offset >= data.length) return columns;
      columns[shardIndex]!.set(data.subarray(offset, offset + chunkSize), stripeIndex * chunkSize);
    }
  }
  return columns;
}

/**
 * Inverse of `stripesToColumns`: interleaves k data columns back into stripe order (padding
 * included; trim to the segment length yourself).
 * Precondition: k columns of one equal length, a multiple of chunkSize; throws RangeError if not.
 */
export function columnsToStripes(profile: ErasureProfile, columns: readonly Uint8Array[]): Uint8Array {
  const { dataShards, chunkSize } = profile;
  const columnLength = columns[0]?.length ?? 0;
  if (columns.length !== dataShards || columnLength % chunkSize !== 0 || columns.some((c) => c.length !== columnLength)) {
    throw new RangeError(`expected ${dataShards} columns of one equal length, a multiple of ${chunkSize} bytes`);
  }
  const stripes = columnLength / chunkSize;
  const data = new Uint8Array(stripes * dataShards * chunkSize);
  for (let stripeIndex = 0; stripeIndex < stripes; stripeIndex++) {
    for (let shardIndex = 0; shardIndex < dataShards; shardIndex++) {
      const offset = stripeIndex * chunkSize;
      data.set(columns[shardIndex]!.subarray(offset, offset + chunkSize), (stripeIndex * dataShards + shardIndex) * chunkSize);
    }
  }
  return data;
}
