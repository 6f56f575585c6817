/**
 * HLS playlists (RFC 8216): parses master and media playlists into the URIs they reference, with
 * each reference's role (variant, rendition, segment, init segment, key, …) and resolved byte
 * range (`#EXT-X-BYTERANGE`, `EXT-X-MAP` `BYTERANGE`), and writes a playlist back with chosen
 * references replaced. Everything else in the playlist is kept as it was.
 */
import type { Span } from '../span.ts';
import { formatAttributeList, parseAttributeList, quotedAttribute, setQuotedAttribute, type AttributeList } from './hls-attributes.ts';
import { ArchiveError } from './errors.ts';

export type ReferenceRole =
  /** `#EXT-X-STREAM-INF` + URI line, `#EXT-X-I-FRAME-STREAM-INF`, `#EXT-X-IMAGE-STREAM-INF`: a media playlist. */
  | 'variant'
  /** `#EXT-X-MEDIA` with a URI: an alternative audio, subtitle or video playlist. */
  | 'rendition'
  /** A media segment (URI line of a media playlist). */
  | 'segment'
  /** `#EXT-X-MAP`: the init segment of fMP4 media. */
  | 'init-segment'
  /** `#EXT-X-KEY`, `#EXT-X-SESSION-KEY`. */
  | 'key'
  /** Any other tag's URI attribute (`#EXT-X-SESSION-DATA`, `#EXT-X-PART`, …). */
  | 'other';

export interface PlaylistReference {
  /** Index of the line that holds the URI. */
  readonly line: number;
  readonly role: ReferenceRole;
  /** As written in the playlist (URL-encoded, relative or absolute). */
  readonly uri: string;
  /** The bytes of the resource it addresses, when the playlist gives a byte range. */
  readonly byteRange: Span | null;
}

export interface Playlist {
  readonly kind: 'master' | 'media';
  readonly lines: readonly string[];
  readonly references: readonly PlaylistReference[];
}

const MASTER_TAGS = /^#EXT-X-(STREAM-INF|MEDIA|I-FRAME-STREAM-INF|IMAGE-STREAM-INF|SESSION-DATA|SESSION-KEY):/;
const TAG_ROLES: Readonly<Record<string, ReferenceRole>> = {
  'EXT-X-MEDIA': 'rendition',
  'EXT-X-I-FRAME-STREAM-INF': 'variant',
  'EXT-X-IMAGE-STREAM-INF': 'variant',
  'EXT-X-MAP': 'init-segment',
  'EXT-X-KEY': 'key',
  'EXT-X-SESSION-KEY': 'key',
};

export function isPlaylistRole(role: ReferenceRole): boolean {
  return role === 'variant' || role === 'rendition';
}

/** True for a URI with a scheme (`https:`, `data:`, `skd:`): it does not name a file of the folder. */
export function hasScheme(uri: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri);
}

/** `<length>[@<offset>]`; the offset is null when absent. */
export function parseByteRange(text: string, where: string): { length: number; offset: number | null } {
  const match = /^(\d+)(?:@(\d+))?$/.exec(text.trim());
  if (!match) throw new ArchiveError('HLS_INPUT', `${where}: byte range "${text}" is not <length>[@<offset>]`);
  const length = Number(match[1]);
  const offset = match[2] === undefined ? null : Number(match[2]);
  if (!Number.isSafeInteger(length) || (offset !== null && !Number.isSafeInteger(offset))) {
    throw new ArchiveError('HLS_INPUT', `${where}: byte range "${text}" is too large`);
  }
  return { length, offset };
}

/** Parses `text` (the contents of `name`, for error messages). */
export function parsePlaylist(text: string, name: string): Playlist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== '#EXTM3U') throw new ArchiveError('HLS_INPUT', `${name} is not an HLS playlist (no #EXTM3U on its first line)`, name);
  const kind = lines.some((line) => MASTER_TAGS.test(line)) ? 'master' : 'media';
  const references: PlaylistReference[] = [];
  let pendingRange: { length: number; offset: number | null } | null = null;
  let afterStreamInf = false;
  /** The previous segment's URI and range end: where an offset-less EXT-X-BYTERANGE starts. */
  let previousSegment: { uri: string; end: number } | null = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    const where = `${name} line ${index + 1}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line.startsWith('#EXT-X-STREAM-INF:')) afterStreamInf = true;
      if (line.startsWith('#EXT-X-BYTERANGE:')) pendingRange = parseByteRange(line.slice('#EXT-X-BYTERANGE:'.length), where);
      const reference = tagReference(line, index, where);
      if (reference) references.push(reference);
      continue;
    }
    if (kind === 'master' || afterStreamInf) {
      references.push({ line: index, role: 'variant', uri: line, byteRange: null });
      afterStreamInf = false;
      continue;
    }
    let byteRange: Span | null = null;
    if (pendingRange) {
      let offset = pendingRange.offset;
      if (offset === null) {
        if (previousSegment === null || previousSegment.uri !== line) {
          throw new ArchiveError('HLS_INPUT', `${where}: EXT-X-BYTERANGE without an offset must follow a range of the same resource`, name);
        }
        offset = previousSegment.end;
      }
      byteRange = { offset, length: pendingRange.length };
      previousSegment = { uri: line, end: offset + pendingRange.length };
    } else {
      previousSegment = null;
    }
    pendingRange = null;
    references.push({ line: index, role: 'segment', uri: line, byteRange });
  }
  return { kind, lines, references };
}

function tagReference(line: string, index: number, where: string): PlaylistReference | null {
  const colon = line.indexOf(':');
  if (colon === -1 || !line.includes('URI="')) return null;
  const tag = line.slice(1, colon);
  const attributes = parseAttributeList(line.slice(colon + 1), where);
  const uri = quotedAttribute(attributes, 'URI');
  if (uri === null) return null;
  const role = TAG_ROLES[tag] ?? 'other';
  let byteRange: Span | null = null;
  const rangeText = role === 'init-segment' ? quotedAttribute(attributes, 'BYTERANGE') : null;
  if (rangeText !== null) {
    const range = parseByteRange(rangeText, where);
    byteRange = { offset: range.offset ?? 0, length: range.length };
  }
  return { line: index, role, uri, byteRange };
}

/** What a reference becomes: a new URI and, for segments and init segments, a byte range of it. */
export interface ReferenceRewrite {
  readonly uri: string;
  readonly byteRange: Span | null;
}

/** HLS version that introduced EXT-X-BYTERANGE. */
const BYTERANGE_VERSION = 4;

/**
 * `playlist` with every reference replaced by `rewrite(reference)`. Existing EXT-X-BYTERANGE
 * lines are dropped and written anew (just before the segment URI) for rewrites that carry a
 * range; EXT-X-VERSION is raised to 4 when a byte range appears and the playlist said less.
 */
export function rewritePlaylist(playlist: Playlist, rewrite: (reference: PlaylistReference) => ReferenceRewrite): string {
  const byLine = new Map(playlist.references.map((reference) => [reference.line, reference]));
  const output: string[] = [];
  let usesByteRange = false;
  playlist.lines.forEach((line, index) => {
    if (line.trim().startsWith('#EXT-X-BYTERANGE:')) return;
    const reference = byLine.get(index);
    if (!reference) return output.push(line);
    const replacement = rewrite(reference);
    if (replacement.byteRange) usesByteRange = true;
    if (!line.trim().startsWith('#')) {
      if (replacement.byteRange) output.push(`#EXT-X-BYTERANGE:${formatByteRange(replacement.byteRange)}`);
      return output.push(replacement.uri);
    }
    output.push(rewriteTag(line.trim(), replacement));
  });
  return `${withVersion(output, usesByteRange ? BYTERANGE_VERSION : 0).join('\n')}\n`;
}

function rewriteTag(line: string, replacement: ReferenceRewrite): string {
  const colon = line.indexOf(':');
  let attributes: AttributeList = parseAttributeList(line.slice(colon + 1), line);
  attributes = setQuotedAttribute(attributes, 'URI', replacement.uri);
  if (line.startsWith('#EXT-X-MAP:')) {
    attributes = setQuotedAttribute(attributes, 'BYTERANGE', replacement.byteRange ? formatByteRange(replacement.byteRange) : null);
  }
  return `${line.slice(0, colon + 1)}${formatAttributeList(attributes)}`;
}

export function formatByteRange(span: Span): string {
  return `${span.length}@${span.offset}`;
}

function withVersion(lines: string[], minimum: number): string[] {
  if (minimum === 0) return lines;
  const index = lines.findIndex((line) => line.startsWith('#EXT-X-VERSION:'));
  if (index === -1) return [lines[0]!, `#EXT-X-VERSION:${minimum}`, ...lines.slice(1)];
  const current = Number(lines[index]!.slice('#EXT-X-VERSION:'.length));
  if (current >= minimum) return lines;
  const updated = [...lines];
  updated[index] = `#EXT-X-VERSION:${minimum}`;
  return updated;
}
