/**
 * Every URI an MPD names, changed by one function, every other byte left as it was: the text of
 * each `BaseURL`, and the URI attributes of the addressing elements (`SegmentTemplate@media`,
 * `@initialization`, `@index`, `@bitstreamSwitching`; `Initialization`, `RepresentationIndex` and
 * `BitstreamSwitching@sourceURL`; `SegmentURL@media` and `@index`). What the gateway uses to put an
 * archive token on a presigned MPD's links, as it does for HLS playlists. Pure.
 */
import { escapeXmlAttribute, parseXml, textOf, type XmlElement } from './dash-xml.ts';

const URI_ATTRIBUTES: ReadonlyMap<string, readonly string[]> = new Map([
  ['SegmentTemplate', ['media', 'initialization', 'index', 'bitstreamSwitching']],
  ['Initialization', ['sourceURL']],
  ['RepresentationIndex', ['sourceURL']],
  ['BitstreamSwitching', ['sourceURL']],
  ['SegmentURL', ['media', 'index']],
]);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** `text` with `rewrite` applied to each URI it names (see the file comment); throws DASH_INPUT when it is not XML. */
export function rewriteMpdUris(text: string, source: string, rewrite: (uri: string) => string): string {
  const edits: Edit[] = [];
  const visit = (element: XmlElement) => {
    if (element.name === 'BaseURL') {
      const uri = textOf(text, element);
      if (uri !== '') edits.push({ start: element.contentStart, end: element.contentEnd, text: escapeXmlAttribute(rewrite(uri)) });
      return;
    }
    const names = URI_ATTRIBUTES.get(element.name);
    if (names) {
      const tag = text.slice(element.start, element.contentStart);
      const rewritten = tag.replace(/(\s)([^\s=/>]+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')/g, (whole, space: string, name: string, equals: string) => {
        const value = element.attributes.get(name);
        // DASH's attributes are unprefixed: `x:media` belongs to another vocabulary.
        if (!names.includes(name) || value === undefined || value === '') return whole;
        return `${space}${name}${equals}"${escapeXmlAttribute(rewrite(value))}"`;
      });
      if (rewritten !== tag) edits.push({ start: element.start, end: element.contentStart, text: rewritten });
    }
    for (const child of element.children) visit(child);
  };
  visit(parseXml(text, source));
  let out = '';
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}
