import { isMpdPath } from '../../src/archive/dash-mpd.ts';
import { rewriteMpdUris } from '../../src/archive/dash-uris.ts';
import { ArchiveError } from '../../src/archive/errors.ts';
import { hasScheme, parsePlaylist, rewritePlaylist } from '../../src/archive/hls-playlist.ts';
import { withArchiveToken } from './archive-token.ts';

/** Playlists above this are served as they are (they are read whole to be rewritten). */
export const MAX_TOKENIZED_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** HLS playlists and DASH MPDs: the members whose links get the archive token. */
export function isPlaylistName(name: string): boolean {
  return /\.m3u8?$/i.test(name) || isMpdPath(name);
}

/**
 * The playlist (HLS) or MPD (DASH) with the archive token added to every URI that is not an
 * absolute URL (those are not the gateway's to grant); byte ranges and every other byte stay as
 * they were. A member that does not parse comes back unchanged.
 */
export function playlistWithToken(bytes: Uint8Array, memberName: string, token: string): Uint8Array {
  const tokenized = (uri: string) => (hasScheme(uri) ? uri : withArchiveToken(uri, token));
  if (isMpdPath(memberName)) {
    try {
      return Buffer.from(rewriteMpdUris(Buffer.from(bytes).toString('utf8'), memberName, tokenized), 'utf8');
    } catch (error) {
      if (error instanceof ArchiveError) return bytes;
      throw error;
    }
  }
  let playlist;
  try {
    playlist = parsePlaylist(Buffer.from(bytes).toString('utf8'), memberName);
  } catch (error) {
    if (error instanceof ArchiveError) return bytes;
    throw error;
  }
  const text = rewritePlaylist(playlist, (reference) => ({ uri: tokenized(reference.uri), byteRange: reference.byteRange }));
  return Buffer.from(text, 'utf8');
}
