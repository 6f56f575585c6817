/**
 * A static MPD read for packing: for every Representation, the files it plays in order — its
 * initialization segment, then its media segments — as folder paths (with a byte range when the
 * MPD addresses part of a file), plus what the rewriter needs to keep timing. Addressing:
 * SegmentTemplate (`$RepresentationID$`, `$Number$`, `$Time$`, `$Bandwidth$`, `%0Nd` widths) with
 * a SegmentTimeline or a fixed `duration`, SegmentList (`SegmentURL@media`/`@mediaRange`), and
 * SegmentBase (one file, `indexRange`); each inherited from Period and AdaptationSet as the
 * standard says. Relative BaseURLs are followed; a reference outside the folder, an absolute
 * BaseURL or a dynamic MPD is DASH_INPUT. Pure.
 */
import path from 'node:path/posix';
import type { Span } from '../span.ts';
import { ArchiveError } from './errors.ts';
import { hasScheme } from './hls-playlist.ts';
import { childrenNamed, parseXml, textOf, type XmlElement } from './dash-xml.ts';

export interface DashFileRef {
  /** Folder path of the file. */
  readonly path: string;
  /** Bytes of the file the MPD addresses; null for all of it. */
  readonly range: Span | null;
}

export type DashAddressing = 'template' | 'list' | 'base';

export interface DashRepresentation {
  readonly element: XmlElement;
  readonly addressing: DashAddressing;
  readonly init: DashFileRef | null;
  readonly media: readonly DashFileRef[];
  /** SegmentBase@indexRange, relative to the file. */
  readonly indexRange: Span | null;
  /** timescale, duration, startNumber, presentationTimeOffset, as merged from every level. */
  readonly timing: ReadonlyMap<string, string>;
  /** The SegmentTimeline element that applies, if any. */
  readonly timeline: XmlElement | null;
}

export interface Mpd {
  readonly path: string;
  readonly text: string;
  readonly root: XmlElement;
  readonly representations: readonly DashRepresentation[];
}

const ADDRESSING_ELEMENTS = ['SegmentTemplate', 'SegmentList', 'SegmentBase'] as const;
const TIMING_ATTRIBUTES = ['timescale', 'duration', 'startNumber', 'presentationTimeOffset'];
/** A timeline or template that would expand past this many segments is refused. */
const MAX_SEGMENTS_PER_REPRESENTATION = 1_000_000;

export function isMpdPath(filePath: string): boolean {
  return /\.mpd$/i.test(filePath);
}

function inputError(mpdPath: string, message: string): ArchiveError {
  return new ArchiveError('DASH_INPUT', `${mpdPath}: ${message}`, mpdPath);
}

export function parseMpd(text: string, mpdPath: string): Mpd {
  const root = parseXml(text, mpdPath);
  if (root.name !== 'MPD') throw inputError(mpdPath, `the root element is <${root.name}>, not <MPD>`);
  if ((root.attributes.get('type') ?? 'static') !== 'static') throw inputError(mpdPath, 'only static (on-demand) MPDs can be archived');
  const representations: DashRepresentation[] = [];
  const rootBase = baseOf(text, root, path.dirname(mpdPath) === '.' ? '' : `${path.dirname(mpdPath)}/`, mpdPath);
  for (const period of childrenNamed(root, 'Period')) {
    const periodBase = baseOf(text, period, rootBase, mpdPath);
    const periodSeconds = periodDurationSeconds(root, period);
    for (const adaptation of childrenNamed(period, 'AdaptationSet')) {
      const adaptationBase = baseOf(text, adaptation, periodBase, mpdPath);
      for (const representation of childrenNamed(adaptation, 'Representation')) {
        const base = baseOf(text, representation, adaptationBase, mpdPath);
        representations.push(readRepresentation(text, mpdPath, [period, adaptation, representation], base, periodSeconds));
      }
    }
  }
  if (representations.length === 0) throw inputError(mpdPath, 'no Representation');
  return { path: mpdPath, text, root, representations };
}

/** The base (a folder path ending in `/`, or a file path) after the element's first BaseURL. */
function baseOf(text: string, element: XmlElement, parentBase: string, mpdPath: string): string {
  const baseUrl = childrenNamed(element, 'BaseURL')[0];
  if (!baseUrl) return parentBase;
  const value = textOf(text, baseUrl);
  if (hasScheme(value) || value.startsWith('/')) throw inputError(mpdPath, `BaseURL "${value}" is absolute: only a folder's own files can be archived`);
  return resolve(mpdPath, parentBase, value, true);
}

function resolve(mpdPath: string, base: string, reference: string, keepSlash = false): string {
  if (hasScheme(reference) || reference.startsWith('/')) throw inputError(mpdPath, `"${reference}" is absolute: only a folder's own files can be archived`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(reference.replace(/[?#].*$/, ''));
  } catch {
    throw inputError(mpdPath, `"${reference}" is not valid percent-encoding`);
  }
  const folder = base.endsWith('/') || base === '' ? base : base.slice(0, base.lastIndexOf('/') + 1);
  const joined = path.normalize(`${folder}${decoded}` || '.');
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) throw inputError(mpdPath, `"${reference}" is outside the folder`);
  return keepSlash && decoded.endsWith('/') ? `${joined.replace(/\/$/, '')}/` : joined;
}

function readRepresentation(text: string, mpdPath: string, levels: readonly XmlElement[], base: string, periodSeconds: number | null): DashRepresentation {
  const representation = levels.at(-1)!;
  const id = representation.attributes.get('id') ?? '';
  const found = (name: string) => levels.map((level) => childrenNamed(level, name)[0]).filter((element): element is XmlElement => element !== undefined);
  const innermost = ADDRESSING_ELEMENTS
    .map((name) => ({ name, elements: found(name) }))
    .filter(({ elements }) => elements.length > 0)
    .sort((a, b) => levels.indexOf(b.elements.at(-1)!.parent!) - levels.indexOf(a.elements.at(-1)!.parent!))[0];
  if (!innermost) {
    // No addressing at all: the BaseURL is the one media file.
    if (base === '' || base.endsWith('/')) throw inputError(mpdPath, `Representation "${id}" has no SegmentTemplate, SegmentList, SegmentBase or file BaseURL`);
    return { element: representation, addressing: 'base', init: null, media: [{ path: base, range: null }], indexRange: null, timing: new Map(), timeline: null };
  }
  const timing = new Map<string, string>();
  for (const element of innermost.elements) {
    for (const name of TIMING_ATTRIBUTES) {
      const value = element.attributes.get(name);
      if (value !== undefined) timing.set(name, value);
    }
  }
  const timeline = innermost.elements.map((element) => childrenNamed(element, 'SegmentTimeline')[0]).filter(Boolean).at(-1) ?? null;
  const attribute = (name: string) => innermost.elements.map((element) => element.attributes.get(name)).filter((value) => value !== undefined).at(-1);
  const child = (name: string) => innermost.elements.map((element) => childrenNamed(element, name)[0]).filter(Boolean).at(-1) ?? null;

  if (innermost.name === 'SegmentBase') {
    if (base === '' || base.endsWith('/')) throw inputError(mpdPath, `Representation "${id}" uses SegmentBase without a file BaseURL`);
    const initialization = child('Initialization');
    const initRange = initialization?.attributes.get('range');
    const indexRange = attribute('indexRange');
    return {
      element: representation, addressing: 'base', timing, timeline,
      init: initRange ? { path: base, range: parseRange(mpdPath, initRange) } : null,
      media: [{ path: base, range: null }],
      indexRange: indexRange ? parseRange(mpdPath, indexRange) : null,
    };
  }
  if (innermost.name === 'SegmentList') {
    const initialization = child('Initialization');
    const init = initialization ? fileRef(mpdPath, base, initialization.attributes.get('sourceURL'), initialization.attributes.get('range')) : null;
    const urls = innermost.elements.map((element) => childrenNamed(element, 'SegmentURL')).filter((list) => list.length > 0).at(-1) ?? [];
    if (urls.length === 0) throw inputError(mpdPath, `Representation "${id}" has a SegmentList without SegmentURL`);
    const media = urls.map((url) => fileRef(mpdPath, base, url.attributes.get('media'), url.attributes.get('mediaRange')));
    return { element: representation, addressing: 'list', init, media, indexRange: null, timing, timeline };
  }
  const values = { RepresentationID: id, Bandwidth: representation.attributes.get('bandwidth') ?? '' };
  const initialization = attribute('initialization');
  const mediaTemplate = attribute('media');
  if (!mediaTemplate) throw inputError(mpdPath, `Representation "${id}" has a SegmentTemplate without media`);
  const init = initialization ? { path: resolve(mpdPath, base, expand(mpdPath, initialization, { ...values })), range: null } : null;
  const startNumber = Number(timing.get('startNumber') ?? '1');
  const media: DashFileRef[] = [];
  const add = (number: number, time: number) => {
    if (media.length >= MAX_SEGMENTS_PER_REPRESENTATION) throw inputError(mpdPath, `Representation "${id}" has more than ${MAX_SEGMENTS_PER_REPRESENTATION} segments`);
    media.push({ path: resolve(mpdPath, base, expand(mpdPath, mediaTemplate, { ...values, Number: String(number), Time: String(time) })), range: null });
  };
  if (timeline) {
    let time = 0;
    let number = startNumber;
    for (const s of childrenNamed(timeline, 'S')) {
      const t = s.attributes.get('t');
      if (t !== undefined) time = Number(t);
      const duration = Number(s.attributes.get('d'));
      const repeat = Number(s.attributes.get('r') ?? '0');
      if (!Number.isSafeInteger(duration) || duration <= 0 || !Number.isSafeInteger(repeat) || repeat < 0) {
        throw inputError(mpdPath, `Representation "${id}": SegmentTimeline S@d="${s.attributes.get('d')}" r="${s.attributes.get('r') ?? 0}" is not supported (need d > 0, r ≥ 0)`);
      }
      for (let index = 0; index <= repeat; index++) {
        add(number++, time);
        time += duration;
      }
    }
  } else {
    const duration = Number(timing.get('duration'));
    const timescale = Number(timing.get('timescale') ?? '1');
    if (!(duration > 0) || periodSeconds === null) throw inputError(mpdPath, `Representation "${id}": a SegmentTemplate needs a SegmentTimeline, or a duration and a known period duration`);
    const count = Math.ceil((periodSeconds * timescale) / duration - 1e-9);
    for (let index = 0; index < count; index++) add(startNumber + index, index * duration);
  }
  return { element: representation, addressing: 'template', init, media, indexRange: null, timing, timeline };
}

function fileRef(mpdPath: string, base: string, url: string | undefined, range: string | undefined): DashFileRef {
  const filePath = url === undefined ? base : resolve(mpdPath, base, url);
  if (filePath === '' || filePath.endsWith('/')) throw inputError(mpdPath, 'a segment names no file (no media/sourceURL and no file BaseURL)');
  return { path: filePath, range: range === undefined ? null : parseRange(mpdPath, range) };
}

function expand(mpdPath: string, template: string, values: Record<string, string>): string {
  return template.replace(/\$(\w*)(%0(\d+)d)?\$/g, (whole, name: string, _format, width?: string) => {
    if (name === '') return '$';
    const value = values[name];
    if (value === undefined) throw inputError(mpdPath, `template identifier ${whole} is not supported here`);
    return width ? value.padStart(Number(width), '0') : value;
  });
}

/** `a-b` (inclusive) as a span. */
function parseRange(mpdPath: string, text: string): Span {
  const match = /^\s*(\d+)-(\d+)\s*$/.exec(text);
  if (!match || Number(match[2]) < Number(match[1])) throw inputError(mpdPath, `"${text}" is not a byte range first-last`);
  return { offset: Number(match[1]), length: Number(match[2]) - Number(match[1]) + 1 };
}

function periodDurationSeconds(root: XmlElement, period: XmlElement): number | null {
  const own = period.attributes.get('duration');
  if (own) return isoSeconds(own);
  const total = root.attributes.get('mediaPresentationDuration');
  if (!total || childrenNamed(root, 'Period').length !== 1) return null;
  const start = period.attributes.get('start');
  return (isoSeconds(total) ?? 0) - (start ? isoSeconds(start) ?? 0 : 0);
}

/** ISO 8601 durations as MPDs write them: `PT1H2M3.5S`, `P1DT2H`. */
function isoSeconds(text: string): number | null {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match.map((value) => Number(value ?? 0));
  return days! * 86400 + hours! * 3600 + minutes! * 60 + seconds!;
}
