/**
 * A synthetic HLS stream on disk for the archive benchmark: 4 renditions of the same number of
 * 4-second segments, each rendition with its own segment size range (200 KB – 2 MB overall), seeded
 * incompressible bytes, a media playlist per rendition and a master. Sized to about `targetBytes`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { objectBytes, seededRandom } from './object-bytes.ts';

interface Rendition {
  readonly name: string;
  readonly resolution: string;
  readonly minSegmentBytes: number;
  readonly maxSegmentBytes: number;
}

const RENDITIONS: readonly Rendition[] = [
  { name: '2160p', resolution: '3840x2160', minSegmentBytes: 1_200_000, maxSegmentBytes: 2_000_000 },
  { name: '1080p', resolution: '1920x1080', minSegmentBytes: 700_000, maxSegmentBytes: 1_400_000 },
  { name: '720p', resolution: '1280x720', minSegmentBytes: 400_000, maxSegmentBytes: 900_000 },
  { name: '480p', resolution: '854x480', minSegmentBytes: 200_000, maxSegmentBytes: 500_000 },
];
const SEGMENT_SECONDS = 4;

export interface SyntheticStream {
  readonly renditions: number;
  readonly segmentsPerRendition: number;
  readonly segmentBytes: number;
}

export async function writeSyntheticHls(folder: string, targetBytes: number, seed: number): Promise<SyntheticStream> {
  const random = seededRandom(seed ^ 0x5f3759df);
  const meanPerIndex = RENDITIONS.reduce((sum, r) => sum + (r.minSegmentBytes + r.maxSegmentBytes) / 2, 0);
  const segmentsPerRendition = Math.max(1, Math.round(targetBytes / meanPerIndex));
  let segmentBytes = 0;
  let fileSeed = seed;
  const master = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rendition of RENDITIONS) {
    const dir = path.join(folder, rendition.name);
    await mkdir(dir, { recursive: true });
    const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${SEGMENT_SECONDS}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
    let renditionBytes = 0;
    for (let index = 0; index < segmentsPerRendition; index++) {
      const size = rendition.minSegmentBytes + Math.floor(random() * (rendition.maxSegmentBytes - rendition.minSegmentBytes + 1));
      const name = `seg_${String(index).padStart(5, '0')}.ts`;
      await writeFile(path.join(dir, name), objectBytes(++fileSeed, 0, size));
      playlist.push(`#EXTINF:${SEGMENT_SECONDS}.000,`, name);
      renditionBytes += size;
    }
    playlist.push('#EXT-X-ENDLIST', '');
    await writeFile(path.join(dir, 'index.m3u8'), playlist.join('\n'));
    const bandwidth = Math.round((renditionBytes * 8) / (segmentsPerRendition * SEGMENT_SECONDS));
    master.push(`#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${rendition.resolution}`, `${rendition.name}/index.m3u8`);
    segmentBytes += renditionBytes;
  }
  await writeFile(path.join(folder, 'master.m3u8'), `${master.join('\n')}\n`);
  return { renditions: RENDITIONS.length, segmentsPerRendition, segmentBytes };
}
