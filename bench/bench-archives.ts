/**
 * The archives the archive range-read benchmark reads from, each a stored ZIP in the nginx
 * document root (`www`) with its segment members' data spans:
 *
 * - `hls`: the synthetic HLS stream of `synthetic-hls.ts`, packed by `archive pack`'s code; reads
 *   `.ts` segments.
 * - `dash`: the synthetic DASH folder of `synthetic-archives.ts`, packed the same way; reads `.m4s`
 *   media segments.
 * - `zip64`: the deep archive of `synthetic-archives.ts` (4 GiB of filler, then the segments);
 *   reads the `deep/` segments, every one past 4 GiB.
 */
import { rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openFileSource, type FileSource } from '../src/archive/file-source.ts';
import { planHlsPack } from '../src/archive/hls-pack.ts';
import { readMemberDataSpan, readZipDirectory, ZipIndex } from '../src/archive/zip-reader.ts';
import type { Span } from '../src/span.ts';
import { DEEP_FILLER_BYTES, writeDeepZip64Archive, writeSyntheticDash } from './synthetic-archives.ts';
import { writeSyntheticHls } from './synthetic-hls.ts';

export type ArchiveKind = 'hls' | 'dash' | 'zip64';
export const ARCHIVE_KINDS: readonly ArchiveKind[] = ['hls', 'dash', 'zip64'];

export interface Segment { readonly name: string; readonly span: Span }

export interface BenchArchive {
  readonly kind: ArchiveKind;
  /** Object key and file name under `www`. */
  readonly key: string;
  readonly file: string;
  readonly source: FileSource;
  readonly segments: readonly Segment[];
  readonly bytes: number;
  readonly members: number;
  readonly zip64: boolean;
  /** Seconds to write the source and pack it (or write the deep archive). */
  readonly buildSeconds: number;
  readonly details: object;
}

const KEYS: Record<ArchiveKind, string> = { hls: 'movie.zip', dash: 'dash.zip', zip64: 'deep.zip' };

/** Builds one archive under `www` (sources in `scratch`, removed after packing); `bytes` is its segment payload. */
export async function buildBenchArchive(kind: ArchiveKind, bytes: number, seed: number, scratch: string, www: string): Promise<BenchArchive> {
  const key = KEYS[kind];
  const file = path.join(www, key);
  const started = performance.now();
  let details: object;
  if (kind === 'zip64') {
    const deep = await writeDeepZip64Archive(file, bytes, seed);
    details = { fillerBytes: DEEP_FILLER_BYTES, segments: deep.segments, segmentBytes: deep.segmentBytes };
  } else {
    const folder = path.join(scratch, kind);
    details = kind === 'hls' ? await writeSyntheticHls(folder, bytes, seed) : await writeSyntheticDash(folder, bytes, seed);
    const plan = await planHlsPack({ folder, archiveName: key });
    await pipeline(Readable.from(plan.stream()), createWriteStream(file));
    await rm(folder, { recursive: true, force: true });
  }
  const buildSeconds = (performance.now() - started) / 1000;
  const source = await openFileSource(file);
  const directory = await readZipDirectory(source);
  const index = new ZipIndex(directory);
  const isSegment = kind === 'hls' ? (name: string) => name.endsWith('.ts')
    : kind === 'dash' ? (name: string) => name.endsWith('.m4s')
      : (name: string) => name.startsWith('deep/');
  const segments: Segment[] = [];
  for (const entry of index.entries) {
    if (isSegment(entry.name)) segments.push({ name: entry.name, span: await readMemberDataSpan(source, entry, index.dataEnd) });
  }
  if (kind === 'zip64' && !segments.every((segment) => segment.span.offset > 2 ** 32)) throw new Error('a deep segment starts below 4 GiB');
  return { kind, key, file, source, segments, bytes: source.size, members: index.entries.length, zip64: directory.zip64, buildSeconds, details };
}
