/**
 * The extra archives of the archive range-read benchmark, beside the HLS one of `synthetic-hls.ts`:
 *
 * - `writeSyntheticDash`: an MPEG-DASH folder (one MPD, SegmentTemplate `$Number$` with a fixed
 *   duration; two video Representations and one audio, 4-second fMP4 segments of seeded bytes,
 *   800 KB – 2 MB video, 60 – 100 KB audio, and their init segments), packed by `archive pack`'s
 *   code like any DASH folder.
 * - `writeDeepZip64Archive`: a stored ZIP written straight from generators (no source folder) whose
 *   segments all lie past 4 GiB: a zero-filled `filler.bin` member of 4 GiB comes first, then
 *   seeded `deep/seg_<n>.m4s` members, so every segment member has a ZIP64 local-header offset
 *   and the archive ends with ZIP64 records. Zeros are cheap to make, not to store: encrypted,
 *   the filler costs ~1.5× its size in shard files like any bytes. Memory: one 1 MiB piece.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { planArchive, type ArchiveLayout, type MemberInput } from '../src/archive/zip-layout.ts';
import { writeArchive } from '../src/archive/zip-writer.ts';
import { objectBytes, seededRandom } from './object-bytes.ts';

const SEGMENT_SECONDS = 4;
const DASH_REPRESENTATIONS = [
  { id: 'v1080', kind: 'video', bandwidth: 4_000_000, minBytes: 1_200_000, maxBytes: 2_000_000 },
  { id: 'v720', kind: 'video', bandwidth: 2_000_000, minBytes: 800_000, maxBytes: 1_200_000 },
  { id: 'a128', kind: 'audio', bandwidth: 128_000, minBytes: 60_000, maxBytes: 100_000 },
] as const;

export interface SyntheticDash {
  readonly representations: number;
  readonly segmentsPerRepresentation: number;
  readonly segmentBytes: number;
}

export async function writeSyntheticDash(folder: string, targetBytes: number, seed: number): Promise<SyntheticDash> {
  await mkdir(folder, { recursive: true });
  const random = seededRandom(seed ^ 0x2545f491);
  const meanPerIndex = DASH_REPRESENTATIONS.reduce((sum, r) => sum + (r.minBytes + r.maxBytes) / 2, 0);
  const segments = Math.max(1, Math.round(targetBytes / meanPerIndex));
  let fileSeed = seed * 7919;
  let segmentBytes = 0;
  const adaptation = (kind: string, mime: string, codecs: string) => {
    const representations = DASH_REPRESENTATIONS.filter((r) => r.kind === kind)
      .map((r) => `      <Representation id="${r.id}" bandwidth="${r.bandwidth}" codecs="${codecs}"/>`).join('\n');
    return `    <AdaptationSet contentType="${kind}" mimeType="${mime}" segmentAlignment="true">
      <SegmentTemplate timescale="1000" duration="${SEGMENT_SECONDS * 1000}" startNumber="1" initialization="init_$RepresentationID$.mp4" media="seg_$RepresentationID$_$Number%05d$.m4s"/>
${representations}
    </AdaptationSet>`;
  };
  for (const representation of DASH_REPRESENTATIONS) {
    await writeFile(path.join(folder, `init_${representation.id}.mp4`), objectBytes(++fileSeed, 0, 1_000));
    for (let number = 1; number <= segments; number++) {
      const size = representation.minBytes + Math.floor(random() * (representation.maxBytes - representation.minBytes + 1));
      await writeFile(path.join(folder, `seg_${representation.id}_${String(number).padStart(5, '0')}.m4s`), objectBytes(++fileSeed, 0, size));
      segmentBytes += size;
    }
  }
  const mpd = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT${segments * SEGMENT_SECONDS}S" minBufferTime="PT4S">
  <Period id="0" start="PT0S">
${adaptation('video', 'video/mp4', 'avc1.640028')}
${adaptation('audio', 'audio/mp4', 'mp4a.40.2')}
  </Period>
</MPD>
`;
  await writeFile(path.join(folder, 'manifest.mpd'), mpd);
  return { representations: DASH_REPRESENTATIONS.length, segmentsPerRepresentation: segments, segmentBytes };
}

const PIECE_BYTES = 1024 * 1024;
/** The filler pushes every later member past 4 GiB (and its local header past 0xFFFFFFFF). */
export const DEEP_FILLER_BYTES = 4 * 1024 ** 3;

export interface DeepArchive {
  readonly layout: ArchiveLayout;
  readonly segments: number;
  readonly segmentBytes: number;
}

/** Writes the deep ZIP64 archive to `file`: the filler, then `segmentBytes` of seeded segments of 1–2 MB. */
export async function writeDeepZip64Archive(file: string, segmentBytes: number, seed: number): Promise<DeepArchive> {
  const random = seededRandom(seed ^ 0x68e31da4);
  const modifiedAt = new Date(Date.UTC(2026, 0, 1));
  const zeros = Buffer.alloc(PIECE_BYTES);
  let fillerCrc = 0;
  for (let offset = 0; offset < DEEP_FILLER_BYTES; offset += PIECE_BYTES) fillerCrc = crc32(zeros.subarray(0, Math.min(PIECE_BYTES, DEEP_FILLER_BYTES - offset)), fillerCrc);
  const sizes: number[] = [];
  for (let total = 0; total < segmentBytes;) {
    const size = 1_000_000 + Math.floor(random() * 1_000_001);
    sizes.push(size);
    total += size;
  }
  const segmentSeed = (index: number) => seed * 104_729 + index;
  const inputs: MemberInput[] = [
    { name: 'filler.bin', size: DEEP_FILLER_BYTES, crc32: fillerCrc, modifiedAt },
    ...sizes.map((size, index) => ({ name: `deep/seg_${String(index).padStart(5, '0')}.m4s`, size, crc32: crc32(objectBytes(segmentSeed(index), 0, size)), modifiedAt })),
  ];
  const layout = planArchive(inputs);
  const pieces = writeArchive(layout, function* memberBytes(member) {
    if (member.name === 'filler.bin') {
      for (let offset = 0; offset < member.size; offset += PIECE_BYTES) yield zeros.subarray(0, Math.min(PIECE_BYTES, member.size - offset));
      return;
    }
    yield objectBytes(segmentSeed(Number(/(\d+)\.m4s$/.exec(member.name)![1])), 0, member.size);
  });
  await pipeline(Readable.from(pieces), createWriteStream(file));
  return { layout, segments: sizes.length, segmentBytes: sizes.reduce((sum, size) => sum + size, 0) };
}
