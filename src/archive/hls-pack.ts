/**
 * `archive pack`: an HLS and/or DASH folder → one stored ZIP, streamed. Lists the folder, parses
 * every playlist and MPD, orders the members for playback (`dash-pack-order.ts`, `hls-pack-order.ts`), reads each file once for its
 * CRC-32, lays the archive out, appends the rewritten playlists and MPDs (`hls-rewrite.ts`, `dash-rewrite.ts`, which need the
 * members' offsets), and then streams the archive, reading each file a second time. Memory holds
 * the member list and the playlists, never member data beyond one piece.
 */
import { readFile as readWholeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Span } from '../span.ts';
import { ArchiveError } from './errors.ts';
import { fileCrc32, listFolder, readFile } from './hls-folder.ts';
import { isPlaylistPath, planPackOrder } from './hls-pack-order.ts';
import { parsePlaylist, type Playlist } from './hls-playlist.ts';
import { rewritePlaylists } from './hls-rewrite.ts';
import { isMpdPath, parseMpd, type Mpd } from './dash-mpd.ts';
import { planDashOrder } from './dash-pack-order.ts';
import { rewriteMpds } from './dash-rewrite.ts';
import { planArchive, type ArchiveLayout, type MemberInput } from './zip-layout.ts';
import { writeArchive } from './zip-writer.ts';

/** Larger "playlists" are refused: they are read whole to be parsed. */
const MAX_PLAYLIST_BYTES = 16 * 1024 * 1024;

export interface PackProgress {
  /** `scan`: reading files for their CRC-32; `write`: streaming the archive. */
  readonly phase: 'scan' | 'write';
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface PackOptions {
  readonly folder: string;
  /** The file name the archive is served under (the last segment of its key): rewritten playlists link to it. */
  readonly archiveName: string;
  /** Absolute paths to leave out (the output file when it is inside the folder). */
  readonly exclude?: readonly string[];
  /** Timestamp of every member instead of the files' own (reproducible archives, SOURCE_DATE_EPOCH). */
  readonly modifiedAt?: Date | null;
  readonly onProgress?: (progress: PackProgress) => void;
}

export interface PackSummary {
  readonly files: number;
  readonly playlists: number;
  readonly rewrittenPlaylists: number;
  readonly zip64: boolean;
  readonly archiveBytes: number;
}

export interface PackPlan {
  readonly layout: ArchiveLayout;
  readonly summary: PackSummary;
  /** The archive's bytes; each call streams it anew. */
  stream(): AsyncGenerator<Uint8Array>;
}

export async function planHlsPack(options: PackOptions): Promise<PackPlan> {
  const report = options.onProgress ?? (() => {});
  const files = await listFolder(options.folder, new Set(options.exclude ?? []));
  const byPath = new Map(files.map((file) => [file.path, file]));
  const playlists = new Map<string, Playlist>();
  for (const file of files) {
    if (!isPlaylistPath(file.path)) continue;
    if (file.size > MAX_PLAYLIST_BYTES) throw new ArchiveError('HLS_INPUT', `${file.path} is ${file.size} bytes, too large for a playlist`, file.path);
    playlists.set(file.path, parsePlaylist(await readWholeFile(file.absolutePath, 'utf8'), file.path));
  }
  const mpds: Mpd[] = [];
  for (const file of files) {
    if (!isMpdPath(file.path)) continue;
    if (file.size > MAX_PLAYLIST_BYTES) throw new ArchiveError('DASH_INPUT', `${file.path} is ${file.size} bytes, too large for an MPD`, file.path);
    mpds.push(parseMpd(await readWholeFile(file.absolutePath, 'utf8'), file.path));
  }
  if (playlists.size === 0 && mpds.length === 0) throw new ArchiveError('HLS_INPUT', `${options.folder} holds no .m3u8 playlist or .mpd manifest`);
  const fileSizes = new Map(files.map((file) => [file.path, file.size]));
  const order = planPackOrder(fileSizes, playlists);
  // DASH manifests and what they play first (playback order), then the HLS order and the rest.
  const dashMembers = planDashOrder(fileSizes, mpds);
  const dashSet = new Set(dashMembers);
  const members = [...dashMembers, ...order.members.filter((member) => !dashSet.has(member))];

  const scanTotal = files.reduce((sum, file) => sum + file.size, 0);
  let scanned = 0;
  report({ phase: 'scan', bytesDone: 0, bytesTotal: scanTotal });
  const inputs: MemberInput[] = [];
  for (const filePath of members) {
    const file = byPath.get(filePath)!;
    const checksum = await fileCrc32(file, (count) => {
      scanned += count;
      report({ phase: 'scan', bytesDone: scanned, bytesTotal: scanTotal });
    });
    inputs.push({ name: file.path, size: file.size, crc32: checksum, modifiedAt: options.modifiedAt ?? file.modifiedAt });
  }

  const dataSpans = new Map<string, Span>(planArchive(inputs).members.map((member) => [member.name, { offset: member.dataOffset, length: member.size }]));
  const generated = new Map<string, Uint8Array>();
  for (const playlist of [...rewritePlaylists(order.playlists, playlists, dataSpans, options.archiveName), ...rewriteMpds(mpds, dataSpans, options.archiveName)]) {
    const bytes = Buffer.from(playlist.text, 'utf8');
    generated.set(playlist.name, bytes);
    inputs.push({ name: playlist.name, size: bytes.length, crc32: crc32(bytes), modifiedAt: options.modifiedAt ?? byPath.get(playlist.source)!.modifiedAt });
  }
  const layout = planArchive(inputs);
  const summary: PackSummary = {
    files: files.length,
    playlists: playlists.size + mpds.length,
    rewrittenPlaylists: generated.size,
    zip64: layout.zip64,
    archiveBytes: layout.size,
  };
  return {
    layout,
    summary,
    stream: () => streamWithProgress(writeArchive(layout, (member) => {
      const bytes = generated.get(member.name);
      return bytes ? [bytes] : readFile(byPath.get(member.name)!);
    }), layout.size, report),
  };
}

async function* streamWithProgress(pieces: AsyncGenerator<Uint8Array>, total: number, report: (progress: PackProgress) => void): AsyncGenerator<Uint8Array> {
  let written = 0;
  report({ phase: 'write', bytesDone: 0, bytesTotal: total });
  for await (const piece of pieces) {
    yield piece;
    written += piece.length;
    report({ phase: 'write', bytesDone: written, bytesTotal: total });
  }
}
