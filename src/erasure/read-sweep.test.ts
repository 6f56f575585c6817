/**
 * The layout and the codec together, as the read path uses them: objects are encoded into shard
 * files in memory, then ranges are read back by `segmentsForRange` + `planSegmentRead` +
 * `sliceOfChunk`, decoding lost data windows from k shards picked at random among the survivors.
 * Invariant: with up to m shards lost every range reads back byte-identical; with m+1 lost a read
 * that needs a lost data shard fails with NotEnoughShardsError, one that does not still succeeds.
 */
import test from 'ava';
import { spanEnd, type Span } from '../span.ts';
import { ReedSolomonCodec } from './codec.ts';
import { NotEnoughShardsError } from './errors.ts';
import {
  planSegmentRead,
  segmentsForRange,
  shardFileLength,
  shardWindow,
  sliceOfChunk,
  stripesToColumns,
  type ShardWindow,
} from './layout.ts';
import { segmentDataSize, stripeSize, type ErasureProfile } from './profile.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

const codec = ReedSolomonCodec.load();

type Random = () => number;
const randomInt = (random: Random, below: number) => Math.floor(random() * below);

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function randomBytes(random: Random, length: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = random() * 2 ** 32;
  return new Uint8Array(words.buffer, 0, length);
}

interface StoredObject {
  readonly segments: readonly Span[];
  /** `shardFiles[segmentIndex][shardIndex]`: the bytes a node would hold. */
  readonly shardFiles: readonly (readonly Uint8Array[])[];
}

/** Cuts an object into segments and each segment into n shard files, as the write path does. */
function store(profile: ErasureProfile, data: Uint8Array, segmentSize: number): StoredObject {
  const segments: Span[] = [];
  const shardFiles: Uint8Array[][] = [];
  for (let offset = 0; offset < data.length; offset += segmentSize) {
    const segment = { offset, length: Math.min(segmentSize, data.length - offset) };
    const dataColumns = stripesToColumns(profile, data.subarray(offset, spanEnd(segment)));
    const files = [...dataColumns, ...codec.encode(profile, dataColumns)];
    if (files.some((file) => file.length !== shardFileLength(profile, segment.length))) {
      throw new Error(`shard files of segment ${segments.length} are not shardFileLength long`);
    }
    segments.push(segment);
    shardFiles.push(files);
  }
  return { segments, shardFiles };
}

/** Reads an object range as the gateway does, with the shards in `lost` unreachable. */
function readRange(profile: ErasureProfile, object: StoredObject, range: Span, lost: ReadonlySet<number>, random: Random): Uint8Array {
  const { dataShards, chunkSize } = profile;
  const out = new Uint8Array(range.length);
  let written = 0;
  for (const { segmentIndex, range: segmentRange } of segmentsForRange(object.segments, range)) {
    const files = object.shardFiles[segmentIndex]!;
    const plan = planSegmentRead(profile, object.segments[segmentIndex]!.length, segmentRange);
    const fetched = new Map<number, { window: ShardWindow; bytes: Uint8Array }>();
    for (const window of plan.windows) {
      checkWindow(profile, plan.firstStripe, plan.stripeCount, window, segmentRange, files[window.shardIndex]!.length);
      const bytes = lost.has(window.shardIndex)
        ? decodeWindow(profile, files, window, lost, random)
        : files[window.shardIndex]!.subarray(window.offset, spanEnd(window));
      fetched.set(window.shardIndex, { window, bytes });
    }
    for (let stripeIndex = plan.firstStripe; stripeIndex < plan.firstStripe + plan.stripeCount; stripeIndex++) {
      for (let shardIndex = 0; shardIndex < dataShards; shardIndex++) {
        const slice = sliceOfChunk(profile, stripeIndex, shardIndex, segmentRange);
        if (!slice) continue;
        const source = fetched.get(shardIndex);
        if (!source) throw new Error(`no window for shard ${shardIndex}, yet chunk ${stripeIndex}/${shardIndex} holds bytes of the range`);
        const at = (stripeIndex - source.window.firstStripe) * chunkSize + slice.offset;
        out.set(source.bytes.subarray(at, at + slice.length), written);
        written += slice.length;
      }
    }
  }
  if (written !== range.length) throw new Error(`assembled ${written} bytes of ${range.length}`);
  return out;
}

/** A window must lie inside the plan and the shard file, and start and end on stripes that hold range bytes. */
function checkWindow(profile: ErasureProfile, firstStripe: number, stripeCount: number, window: ShardWindow, range: Span, fileLength: number): void {
  const lastStripe = window.firstStripe + window.stripeCount - 1;
  const tight =
    sliceOfChunk(profile, window.firstStripe, window.shardIndex, range) !== null &&
    sliceOfChunk(profile, lastStripe, window.shardIndex, range) !== null;
  const inside = window.firstStripe >= firstStripe && lastStripe < firstStripe + stripeCount && spanEnd(window) <= fileLength;
  if (!tight || !inside) throw new Error(`window ${JSON.stringify(window)} is not tight and inside`);
}

/** Degraded read of one data window: the same stripes from k survivors chosen at random, decoded. */
function decodeWindow(profile: ErasureProfile, files: readonly Uint8Array[], window: ShardWindow, lost: ReadonlySet<number>, random: Random): Uint8Array {
  const survivors = files.map((_, shardIndex) => shardIndex).filter((shardIndex) => !lost.has(shardIndex));
  const chosen = new Set(shuffled(survivors, random).slice(0, profile.dataShards));
  const columns = files.map((file, shardIndex) => {
    if (!chosen.has(shardIndex)) return null;
    const same = shardWindow(profile, shardIndex, window.firstStripe, window.stripeCount);
    return file.subarray(same.offset, spanEnd(same));
  });
  return codec.reconstruct(profile, columns)[window.shardIndex]!;
}

/** Object sizes around chunk, stripe and segment boundaries, plus two at random. */
function objectSizes(profile: ErasureProfile, segmentSize: number, random: Random): number[] {
  const c = profile.chunkSize;
  const stripe = stripeSize(profile);
  return [
    0, 1, c - 1, c, c + 1, stripe - 1, stripe, stripe + 1, segmentSize - 1, segmentSize, segmentSize + 1,
    2 * segmentSize + stripe + c / 2 + 3, 3 * segmentSize, 3 * segmentSize + 1,
    1 + randomInt(random, 4 * segmentSize), 1 + randomInt(random, 4 * segmentSize),
  ];
}

/** The whole object, ranges between points near chunk boundaries (which include stripe and segment boundaries), single bytes, and arbitrary ranges. */
function rangesFor(size: number, chunkSize: number, random: Random): Span[] {
  const points = new Set([0, size]);
  for (let boundary = 0; boundary <= size; boundary += chunkSize) {
    for (const point of [boundary - 1, boundary, boundary + 1]) if (point >= 0 && point <= size) points.add(point);
  }
  const nearBoundaries = [...points];
  const pick = () => nearBoundaries[randomInt(random, nearBoundaries.length)]!;
  const ranges: Span[] = [{ offset: 0, length: size }];
  const add = (a: number, b: number) => {
    if (a !== b) ranges.push({ offset: Math.min(a, b), length: Math.abs(a - b) });
  };
  for (let i = 0; i < 40; i++) add(pick(), pick());
  for (let i = 0; i < 8; i++) {
    const offset = Math.min(pick(), size - 1);
    add(offset, offset + 1);
  }
  for (let i = 0; i < 8; i++) add(randomInt(random, size + 1), randomInt(random, size + 1));
  return ranges;
}

/** Data shards holding bytes of an object range (in any segment). */
function touchedDataShards(profile: ErasureProfile, object: StoredObject, range: Span): Set<number> {
  const touched = new Set<number>();
  for (const { segmentIndex, range: segmentRange } of segmentsForRange(object.segments, range)) {
    for (const window of planSegmentRead(profile, object.segments[segmentIndex]!.length, segmentRange).windows) touched.add(window.shardIndex);
  }
  return touched;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

for (const [dataShards, parityShards] of [[2, 1], [4, 2], [6, 3], [10, 4]] as const) {
  test(`${dataShards}+${parityShards}: any range reads back with up to m shards lost; m+1 lost fails iff a needed data shard is lost`, (t) => {
    const random = mulberry32(dataShards * 131 + parityShards);
    const n = dataShards + parityShards;
    const failures: string[] = [];
    const counts = { intact: 0, degraded: 0, refused: 0, undamaged: 0 };

    for (const chunkSize of [64, 128, 256]) {
      const profile: ErasureProfile = { dataShards, parityShards, chunkSize };
      // Two stripes per segment, so objects of a few stripes cross segment boundaries.
      const segmentSize = segmentDataSize(profile, 2.5 * stripeSize(profile));
      for (const size of objectSizes(profile, segmentSize, random)) {
        const data = randomBytes(random, size);
        const object = store(profile, data, segmentSize);
        if (size === 0) continue; // no non-empty range of an empty object exists
        for (const range of rangesFor(size, chunkSize, random)) {
          const expected = data.subarray(range.offset, spanEnd(range));
          const label = `c=${chunkSize} size=${size} range=${range.offset}+${range.length}`;
          const touched = [...touchedDataShards(profile, object, range)];
          const others = shuffled([...Array(n).keys()].filter((i) => !touched.includes(i)), random);
          const read = (lost: number[], kind: 'intact' | 'degraded' | 'undamaged') => {
            try {
              if (!sameBytes(readRange(profile, object, range, new Set(lost), random), expected)) failures.push(`${label} lost=[${lost}]: wrong bytes`);
              counts[kind]++;
            } catch (error) {
              failures.push(`${label} lost=[${lost}]: ${String(error)}`);
            }
          };

          read([], 'intact');
          // Up to m lost anywhere, and exactly m lost preferring the data shards the range needs.
          read(shuffled([...Array(n).keys()], random).slice(0, 1 + randomInt(random, parityShards)), 'degraded');
          read([...shuffled(touched, random), ...others].slice(0, parityShards), 'degraded');
          // m+1 lost, one of them a data shard the range needs: the named error, with its accounting.
          const tooMany = [touched[randomInt(random, touched.length)]!, ...shuffled([...Array(n).keys()], random)]
            .filter((shardIndex, i, all) => all.indexOf(shardIndex) === i)
            .slice(0, parityShards + 1);
          try {
            readRange(profile, object, range, new Set(tooMany), random);
            failures.push(`${label} lost=[${tooMany}]: read succeeded`);
          } catch (error) {
            const ok = error instanceof NotEnoughShardsError && error.code === 'NOT_ENOUGH_SHARDS' &&
              error.needed === dataShards && error.available === dataShards - 1 && error.failures.length === parityShards + 1;
            if (ok) counts.refused++;
            else failures.push(`${label} lost=[${tooMany}]: ${String(error)}`);
          }
          // m+1 lost, none of them needed: no decoding, still byte-identical.
          if (others.length > parityShards) read(others.slice(0, parityShards + 1), 'undamaged');
        }
      }
    }

    t.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
    t.log(counts);
    t.true(counts.intact > 1000 && counts.degraded > 2000 && counts.refused > 1000, JSON.stringify(counts));
  });
}
