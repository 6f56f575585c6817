/**
 * HLS attribute lists (RFC 8216 §4.2): `NAME=value,NAME="quoted, with commas"`. Parsed into an
 * ordered list of (name, raw value) so a tag can be written back with one attribute changed and
 * everything else byte for byte as it was.
 */
import { ArchiveError } from './errors.ts';

export type AttributeList = Array<[name: string, rawValue: string]>;

export function parseAttributeList(text: string, where: string): AttributeList {
  const attributes: AttributeList = [];
  let position = 0;
  while (position < text.length) {
    const equals = text.indexOf('=', position);
    if (equals === -1) throw new ArchiveError('HLS_INPUT', `${where}: attribute without a value in "${text}"`);
    const name = text.slice(position, equals).trim();
    let end: number;
    if (text[equals + 1] === '"') {
      const close = text.indexOf('"', equals + 2);
      if (close === -1) throw new ArchiveError('HLS_INPUT', `${where}: unterminated quoted string in "${text}"`);
      end = close + 1;
    } else {
      const comma = text.indexOf(',', equals + 1);
      end = comma === -1 ? text.length : comma;
    }
    attributes.push([name, text.slice(equals + 1, end)]);
    if (end < text.length && text[end] !== ',') throw new ArchiveError('HLS_INPUT', `${where}: expected "," after ${name} in "${text}"`);
    position = end + 1;
  }
  return attributes;
}

export function formatAttributeList(attributes: AttributeList): string {
  return attributes.map(([name, value]) => `${name}=${value}`).join(',');
}

/** The value of a quoted-string attribute without its quotes, or null when absent. */
export function quotedAttribute(attributes: AttributeList, name: string): string | null {
  const found = attributes.find(([candidate]) => candidate === name);
  if (!found) return null;
  const value = found[1];
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

/** Sets (or appends) a quoted-string attribute; `null` removes it. */
export function setQuotedAttribute(attributes: AttributeList, name: string, value: string | null): AttributeList {
  const rest = attributes.filter(([candidate]) => candidate !== name);
  if (value === null) return rest;
  const index = attributes.findIndex(([candidate]) => candidate === name);
  const entry: [string, string] = [name, `"${value}"`];
  if (index === -1) return [...rest, entry];
  const updated = [...attributes];
  updated[index] = entry;
  return updated;
}
