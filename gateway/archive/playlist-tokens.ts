import { ArchiveError } from '../../src/archive/errors.ts';
import { hasScheme, parsePlaylist, rewritePlaylist } from '../../src/archive/hls-playlist.ts';
import { withArchiveToken } from './archive-token.ts';

/** Playlists above this are served as they are (they are read whole to be rewritten). */
export const MAX_TOKENIZED_PLAYLIST_BYTES = 4 * 1024 * 1024;

export function isPlaylistName(name: string): boolean {
  return /\.m3u8?$/i.test(name);
}

/**
 * The playlist with the archive token added to every relative URI (absolute URLs are not the
 * gateway's to grant); byte ranges and every other line stay as they were. A member that does
 * not parse as a playlist comes back unchanged.
 */
export function playlistWithToken(bytes: Uint8Array, memberName: string, token: string): Uint8Array {
  let playlist;
  try {
    playlist = parsePlaylist(Buffer.from(bytes).toString('utf8'), memberName);
  } catch (error) {
    if (error instanceof ArchiveError) return bytes;
    throw error;
  }
  const text = rewritePlaylist(playlist, (reference) => ({
    uri: hasScheme(reference.uri) ? reference.uri : withArchiveToken(reference.uri, token),
    byteRange: reference.byteRange,
  }));
  return Buffer.from(text, 'utf8');
}
