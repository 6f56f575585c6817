/**
 * The rewritten MPDs an archive carries beside the originals, mirroring the HLS trees:
 *
 * - `_byterange/<path>`: every Representation gets a SegmentList whose Initialization and
 *   SegmentURLs name the archive itself with `range` / `mediaRange` (players send HTTP Range
 *   requests on the one object); SegmentBase stays SegmentBase, with the archive as BaseURL and
 *   `indexRange` / Initialization `range` moved to the file's place in the archive (a sidx's
 *   offsets are relative to itself, so they stay right);
 * - `_range/<path>`: the same SegmentList with `<archive>?range=<offset>,<length>` links.
 *
 * The new addressing goes where the Representation's own was (else before any SubRepresentation,
 * else last), so it follows what the schema puts first (AudioChannelConfiguration …); a
 * self-closing Representation, whose addressing was inherited, is opened to hold it.
 *
 * Timing (timescale, duration, presentationTimeOffset, SegmentTimeline) is kept — a timeline's
 * `S@r` repeats written out as one `S` per segment, which dash.js needs in a SegmentList; every
 * other byte of the MPD is left as it was. Pure.
 */
import type { Span } from '../span.ts';
import type { DashFileRef, DashRepresentation, Mpd } from './dash-mpd.ts';
import { escapeXmlAttribute, type XmlElement } from './dash-xml.ts';
import { archiveLinkFrom, extensionHint, rangeQuery, rewrittenName, type RewriteForm, type RewrittenPlaylist } from './hls-rewrite.ts';

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const REMOVED = new Set(['SegmentTemplate', 'SegmentList', 'SegmentBase', 'BaseURL']);

export function rewriteMpds(mpds: readonly Mpd[], dataSpans: ReadonlyMap<string, Span>, archiveName: string): RewrittenPlaylist[] {
  const out: RewrittenPlaylist[] = [];
  for (const form of ['byterange', 'range'] as const) {
    for (const mpd of mpds) {
      const name = rewrittenName(form, mpd.path);
      out.push({ name, source: mpd.path, text: rewriteMpd(mpd, form, dataSpans, archiveLinkFrom(name, archiveName)) });
    }
  }
  return out;
}

function rewriteMpd(mpd: Mpd, form: RewriteForm, dataSpans: ReadonlyMap<string, Span>, archive: string): string {
  const edits: Edit[] = [];
  const removeAll = (element: XmlElement) => {
    for (const child of element.children) {
      if (REMOVED.has(child.name)) edits.push({ start: child.start, end: child.end, text: '' });
      else if (child.name !== 'Representation') removeAll(child);
    }
  };
  removeAll(mpd.root);
  for (const representation of mpd.representations) {
    const element = representation.element;
    for (const child of element.children) if (REMOVED.has(child.name)) edits.push({ start: child.start, end: child.end, text: '' });
    const text = addressing(mpd, representation, form, dataSpans, archive);
    if (element.contentEnd === element.end) {
      // `<Representation …/>` (its addressing inherited): opened up, or the new elements would land in the AdaptationSet.
      const tagName = /^<([\w.:-]+)/.exec(mpd.text.slice(element.start))![1]!;
      edits.push({ start: element.end - 2, end: element.end, text: `>${text}</${tagName}>` });
      continue;
    }
    // Where its own addressing was, else before any SubRepresentation, else last: after the
    // AudioChannelConfiguration, ContentProtection … that the schema puts first.
    const place = element.children.find((child) => REMOVED.has(child.name) || child.name === 'SubRepresentation');
    const at = place ? place.start : element.contentEnd;
    edits.push({ start: at, end: at, text });
  }
  // Back to front; at one offset the removal first, so an insertion there is never cut.
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let text = mpd.text;
  for (const edit of edits) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

function addressing(mpd: Mpd, representation: DashRepresentation, form: RewriteForm, dataSpans: ReadonlyMap<string, Span>, archive: string): string {
  const spanOf = (ref: DashFileRef): Span => {
    const file = dataSpans.get(ref.path)!;
    return ref.range ? { offset: file.offset + ref.range.offset, length: ref.range.length } : file;
  };
  // startNumber names no URL in a SegmentList, and ffmpeg's dash demuxer takes a SegmentList with
  // one for a SegmentTemplate ("missing template URL"): it is left out.
  const timing = [...representation.timing].filter(([name]) => name !== 'startNumber').map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`).join('');
  // SegmentBase with an index or init range stays SegmentBase; a plain file BaseURL becomes a one-segment SegmentList.
  if (representation.addressing === 'base' && (representation.init !== null || representation.indexRange !== null)) {
    const file = representation.media[0]!;
    const fileSpan = dataSpans.get(file.path)!;
    const shift = form === 'byterange' ? fileSpan.offset : 0;
    const base = form === 'byterange' ? archive : link(form, archive, file.path, fileSpan);
    const index = representation.indexRange ? ` indexRange="${inclusive(representation.indexRange, shift)}"` : '';
    const init = representation.init?.range ? `<Initialization range="${inclusive(representation.init.range, shift)}"/>` : '';
    return `<BaseURL>${escapeXmlAttribute(base)}</BaseURL><SegmentBase${timing}${index}>${init}</SegmentBase>`;
  }
  const timeline = representation.timeline ? expandedTimeline(representation.timeline, representation.media.length) : '';
  const pieces = [`<SegmentList${timing}>`];
  if (representation.init) pieces.push(`<Initialization ${segmentAttributes(form, archive, representation.init.path, spanOf(representation.init), 'sourceURL', 'range')}/>`);
  if (timeline) pieces.push(timeline);
  for (const media of representation.media) pieces.push(`<SegmentURL ${segmentAttributes(form, archive, media.path, spanOf(media), 'media', 'mediaRange')}/>`);
  pieces.push('</SegmentList>');
  return pieces.join('');
}

/**
 * The SegmentTimeline with every `S@r` written out as that many more `S` elements (same `d`, no
 * `t`: each follows the one before), the same timing. The standard pairs the n-th SegmentURL with
 * the n-th segment counting repeats; dash.js (5.2) pairs it with the n-th `S` element, so with
 * `r` it would play the first SegmentURL of an `S` for all its repeats (dash.js pull request
 * #5133). One `S` per segment means the same to both readings. An `r` that is not a count
 * (negative, or not a number) is left as it was. No more `S` are written than the list has
 * segments (a timeline past its SegmentURLs names nothing to play), so a huge `r` costs nothing.
 */
function expandedTimeline(timeline: XmlElement, segments: number): string {
  const pieces = ['<SegmentTimeline>'];
  let written = 0;
  for (const s of timeline.children) {
    if (s.name !== 'S' || written >= segments) continue;
    const repeat = Number(s.attributes.get('r') ?? '0');
    const counted = Number.isSafeInteger(repeat) && repeat >= 0;
    const count = counted ? Math.min(repeat + 1, segments - written) : 1;
    const kept = [...s.attributes].filter(([name]) => !counted || name !== 'r');
    pieces.push(sElement(kept));
    const following = kept.filter(([name]) => name !== 't' && name !== 'n');
    for (let index = 1; index < count; index++) pieces.push(sElement(following));
    written += count;
  }
  pieces.push('</SegmentTimeline>');
  return pieces.join('');
}

function sElement(attributes: readonly (readonly [string, string])[]): string {
  return `<S${attributes.map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`).join('')}/>`;
}

function segmentAttributes(form: RewriteForm, archive: string, memberPath: string, span: Span, urlName: string, rangeName: string): string {
  if (form === 'range') return `${urlName}="${escapeXmlAttribute(link(form, archive, memberPath, span))}"`;
  const hint = extensionHint(memberPath);
  return `${urlName}="${escapeXmlAttribute(hint ? `${archive}?${hint}` : archive)}" ${rangeName}="${inclusive(span, 0)}"`;
}

function link(form: RewriteForm, archive: string, memberPath: string, span: Span): string {
  const hint = extensionHint(memberPath);
  if (form === 'byterange') return hint ? `${archive}?${hint}` : archive;
  return `${archive}?${rangeQuery(span)}${hint ? `&${hint}` : ''}`;
}

function inclusive(span: Span, shift: number): string {
  return `${span.offset + shift}-${span.offset + shift + span.length - 1}`;
}
