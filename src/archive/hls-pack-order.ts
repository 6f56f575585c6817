/**
 * Which files of an HLS folder go into the archive, in which order, and whether every playlist
 * reference is sound. Pure: works on file sizes and parsed playlists.
 *
 * Order (so sequential playback reads sequential archive bytes): each top-level playlist (masters
 * first, `master.m3u8` before others), and for each playlist, in the order it names them, the
 * playlists it references (each followed by its own segments) and its segments; then any
 * playlist nobody referenced, the same way; then every other file (covers, thumbnails, …) by path.
 */
import path from 'node:path/posix';
import { ArchiveError } from './errors.ts';
import { hasScheme, isPlaylistRole, type Playlist, type PlaylistReference } from './hls-playlist.ts';

/** Member-path prefixes of the rewritten playlists; a folder may not use them itself. */
export const BYTERANGE_PREFIX = '_byterange/';
export const RANGE_PREFIX = '_range/';

export function isPlaylistPath(filePath: string): boolean {
  return /\.m3u8?$/i.test(filePath);
}

/**
 * The folder path a relative reference in `playlistPath` names, or null for an absolute URL
 * (`https:`, `data:`, `skd:`), which names no file of the folder. Query and fragment are dropped,
 * percent-escapes decoded. Throws HLS_INPUT for a reference leaving the folder.
 */
export function resolveReference(playlistPath: string, uri: string): string | null {
  if (hasScheme(uri)) return null;
  const bare = uri.replace(/[?#].*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    throw new ArchiveError('HLS_INPUT', `${playlistPath} references "${uri}", which is not valid percent-encoding`, playlistPath);
  }
  const resolved = path.normalize(path.join(path.dirname(playlistPath), decoded));
  if (decoded.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
    throw new ArchiveError('HLS_INPUT', `${playlistPath} references "${uri}", which is outside the folder`, playlistPath);
  }
  return resolved;
}

export interface PackOrder {
  /** Every file of the folder, in archive order. */
  readonly members: readonly string[];
  /** Every playlist, in the order it was reached. */
  readonly playlists: readonly string[];
}

/**
 * `fileSizes`: every file of the folder by relative path; `playlists`: those that are playlists,
 * parsed. Throws HLS_INPUT for a missing or out-of-folder reference, a non-playlist referenced
 * as a playlist, a byte range past the end of its file, or a path under a reserved prefix.
 */
export function planPackOrder(fileSizes: ReadonlyMap<string, number>, playlists: ReadonlyMap<string, Playlist>): PackOrder {
  for (const filePath of fileSizes.keys()) {
    if (filePath.startsWith(BYTERANGE_PREFIX) || filePath.startsWith(RANGE_PREFIX)) {
      throw new ArchiveError('HLS_INPUT', `${filePath}: the folders ${BYTERANGE_PREFIX} and ${RANGE_PREFIX} are reserved for the rewritten playlists`, filePath);
    }
  }
  const members: string[] = [];
  const emitted = new Set<string>();
  const visitedPlaylists: string[] = [];
  const emit = (filePath: string) => {
    if (emitted.has(filePath)) return;
    emitted.add(filePath);
    members.push(filePath);
  };
  const visit = (playlistPath: string) => {
    if (emitted.has(playlistPath)) return;
    emit(playlistPath);
    visitedPlaylists.push(playlistPath);
    for (const reference of playlists.get(playlistPath)!.references) {
      const target = checkReference(playlistPath, reference, fileSizes, playlists);
      if (target === null) continue;
      if (isPlaylistRole(reference.role)) visit(target);
      else emit(target);
    }
  };
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const topLevel = [...playlists.keys()].filter((name) => !name.includes('/')).sort((a, b) => rootRank(a, playlists) - rootRank(b, playlists) || byName(a, b));
  for (const root of topLevel) visit(root);
  for (const rest of [...playlists.keys()].sort(byName)) visit(rest);
  for (const rest of [...fileSizes.keys()].sort(byName)) emit(rest);
  return { members, playlists: visitedPlaylists };
}

/** master.m3u8 first, then other masters, then media playlists. */
function rootRank(name: string, playlists: ReadonlyMap<string, Playlist>): number {
  if (/^master\.m3u8?$/i.test(name)) return 0;
  return playlists.get(name)!.kind === 'master' ? 1 : 2;
}

function checkReference(
  playlistPath: string,
  reference: PlaylistReference,
  fileSizes: ReadonlyMap<string, number>,
  playlists: ReadonlyMap<string, Playlist>,
): string | null {
  const target = resolveReference(playlistPath, reference.uri);
  if (target === null) return null;
  const size = fileSizes.get(target);
  if (size === undefined) throw new ArchiveError('HLS_INPUT', `${playlistPath} references "${reference.uri}", which is not in the folder (${target})`, playlistPath);
  if (isPlaylistRole(reference.role) && !playlists.has(target)) {
    throw new ArchiveError('HLS_INPUT', `${playlistPath} references "${reference.uri}" as a playlist, but it is not an .m3u8 file`, playlistPath);
  }
  const range = reference.byteRange;
  if (range && range.offset + range.length > size) {
    throw new ArchiveError('HLS_INPUT', `${playlistPath}: byte range ${range.length}@${range.offset} of "${reference.uri}" runs past its ${size} bytes`, playlistPath);
  }
  return target;
}
