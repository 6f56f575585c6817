/**
 * The rewritten playlists an archive carries beside the originals, in two mirrored trees:
 *
 * - `_byterange/<path>`: every segment and init segment becomes the archive itself plus
 *   `#EXT-X-BYTERANGE:<length>@<offset>` (or `BYTERANGE="…"` on EXT-X-MAP), which stock players
 *   turn into HTTP Range requests on the one archive object;
 * - `_range/<path>`: every segment becomes a plain link `<archive>?range=<offset>,<length>`.
 *
 * Links between playlists stay as they were (the trees mirror the folder), other resources
 * (keys, session data) become `?range=` links in both trees, and absolute URLs are left alone.
 * Links end with `ext=<the member's extension>` (see `extensionHint`).
 * The archive is referenced by a relative URL that climbs from the playlist's member path to the
 * archive's own key, so the playlists work wherever the archive is stored, as long as it keeps
 * its file name. Pure.
 */
import type { Span } from '../span.ts';
import { BYTERANGE_PREFIX, RANGE_PREFIX, resolveReference } from './hls-pack-order.ts';
import { isPlaylistRole, rewritePlaylist, type Playlist, type PlaylistReference, type ReferenceRewrite } from './hls-playlist.ts';

export type RewriteForm = 'byterange' | 'range';

export interface RewrittenPlaylist {
  readonly name: string;
  readonly text: string;
  /** The original playlist it was made from. */
  readonly source: string;
}

/** `?range=<offset>,<length>`: the query form the gateway answers with exactly those bytes. */
export function rangeQuery(span: Span): string {
  return `range=${span.offset},${span.length}`;
}

/** The relative URL from member `memberPath` of archive `archiveName` to the archive itself. */
export function archiveLinkFrom(memberPath: string, archiveName: string): string {
  const depth = memberPath.split('/').length - 1;
  return `${'../'.repeat(depth + 1)}${encodeURIComponent(archiveName)}`;
}

export function rewrittenName(form: RewriteForm, playlistPath: string): string {
  return `${form === 'byterange' ? BYTERANGE_PREFIX : RANGE_PREFIX}${playlistPath}`;
}

/**
 * Both rewritten forms of every playlist in `order`. `dataSpans` gives each packed file's data
 * span in the archive.
 */
export function rewritePlaylists(
  order: readonly string[],
  playlists: ReadonlyMap<string, Playlist>,
  dataSpans: ReadonlyMap<string, Span>,
  archiveName: string,
): RewrittenPlaylist[] {
  const rewritten: RewrittenPlaylist[] = [];
  for (const form of ['byterange', 'range'] as const) {
    for (const source of order) {
      const name = rewrittenName(form, source);
      const archiveLink = archiveLinkFrom(name, archiveName);
      const text = rewritePlaylist(playlists.get(source)!, (reference) => rewriteReference(form, source, reference, dataSpans, archiveLink));
      rewritten.push({ name, text, source });
    }
  }
  return rewritten;
}

function rewriteReference(
  form: RewriteForm,
  playlistPath: string,
  reference: PlaylistReference,
  dataSpans: ReadonlyMap<string, Span>,
  archiveLink: string,
): ReferenceRewrite {
  const target = resolveReference(playlistPath, reference.uri);
  if (target === null) return { uri: reference.uri, byteRange: reference.byteRange };
  if (isPlaylistRole(reference.role)) return { uri: reference.uri, byteRange: null };
  const data = dataSpans.get(target);
  if (!data) throw new Error(`no archive span for ${target} (referenced by ${playlistPath})`);
  const span = reference.byteRange
    ? { offset: data.offset + reference.byteRange.offset, length: reference.byteRange.length }
    : data;
  const byteRangeCapable = reference.role === 'segment' || reference.role === 'init-segment';
  const hint = extensionHint(target);
  if (form === 'byterange' && byteRangeCapable) return { uri: hint ? `${archiveLink}?${hint}` : archiveLink, byteRange: span };
  return { uri: `${archiveLink}?${rangeQuery(span)}${hint ? `&${hint}` : ''}`, byteRange: null };
}

/**
 * `ext=.m4s` for a member named `….m4s`: the link then ends with the member's own extension.
 * libavformat (ffmpeg, ffplay, mpv) refuses segment URLs whose extension is not a media type
 * (its `allowed_segment_extensions` check), and `.zip` is not one; the gateway ignores the
 * parameter. Null for a member without an extension.
 */
export function extensionHint(memberName: string): string | null {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(memberName.slice(memberName.lastIndexOf('/') + 1));
  return match ? `${EXTENSION_HINT_PARAMETER}=.${match[1]}` : null;
}

export const EXTENSION_HINT_PARAMETER = 'ext';
