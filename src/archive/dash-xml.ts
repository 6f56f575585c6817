/**
 * Just enough XML for MPDs: elements with their attributes, children and positions in the text,
 * so the DASH rewriter can cut elements out and splice new ones in while leaving every other byte
 * of the manifest as it was. Comments, processing instructions and CDATA are skipped; a tag that
 * does not close is DASH_INPUT. Pure.
 */
import { ArchiveError } from './errors.ts';

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** Offset of `<` of the start tag. */
  readonly start: number;
  /** Offset just after the start tag's `>`. */
  readonly contentStart: number;
  /** Offset of the end tag's `<` (= `end` for a self-closing element). */
  contentEnd: number;
  /** Offset just after the element. */
  end: number;
  readonly children: XmlElement[];
  readonly parent: XmlElement | null;
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseXml(text: string, source: string): XmlElement {
  const document: XmlElement = { name: '#document', attributes: new Map(), start: 0, contentStart: 0, contentEnd: text.length, end: text.length, children: [], parent: null };
  let current = document;
  for (const match of text.matchAll(TOKEN)) {
    const [token, closing, name, attributeText, selfClosing] = match;
    if (name === undefined) continue;
    const at = match.index!;
    if (closing) {
      if (current.name !== name) throw new ArchiveError('DASH_INPUT', `${source}: </${name}> closes <${current.name}>: not well-formed XML`, source);
      current.contentEnd = at;
      current.end = at + token.length;
      current = current.parent!;
      continue;
    }
    const attributes = new Map<string, string>();
    for (const attribute of (attributeText ?? '').matchAll(ATTRIBUTE)) attributes.set(attribute[1]!, unescapeXml(attribute[2] ?? attribute[3] ?? ''));
    const element: XmlElement = { name: name.replace(/^[\w.-]+:/, ''), attributes, start: at, contentStart: at + token.length, contentEnd: at + token.length, end: at + token.length, children: [], parent: current };
    current.children.push(element);
    if (!selfClosing) current = element;
  }
  if (current !== document) throw new ArchiveError('DASH_INPUT', `${source}: <${current.name}> is never closed: not well-formed XML`, source);
  const root = document.children[0];
  if (!root) throw new ArchiveError('DASH_INPUT', `${source} holds no XML element`, source);
  return root;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function textOf(text: string, element: XmlElement): string {
  return unescapeXml(text.slice(element.contentStart, element.contentEnd)).trim();
}

export function unescapeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[name]!;
  });
}

export function escapeXmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
