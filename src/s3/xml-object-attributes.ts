/**
 * GetObjectAttributes (`GET /bucket/key?attributes`): the `x-amz-object-attributes` header, the
 * `x-amz-max-parts` / `x-amz-part-number-marker` paging headers, and the response body
 * (`GetObjectAttributesResponse`: ETag, Checksum, ObjectParts, StorageClass, ObjectSize — only
 * those asked for). Pure functions.
 */
import type { ObjectPart } from '../meta/multipart-types.ts';
import { S3Error } from './errors.ts';
import { element, S3_XML_NAMESPACE, XML_DECLARATION } from './xml.ts';

export const OBJECT_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
export type ObjectAttribute = (typeof OBJECT_ATTRIBUTES)[number];

/** S3's default and largest `x-amz-max-parts`. */
export const MAX_ATTRIBUTE_PARTS = 1000;

function invalidArgument(message: string, name: string, value: string): S3Error {
  return new S3Error('InvalidArgument', { message, extra: { ArgumentName: name, ArgumentValue: value } });
}

/**
 * The attributes a request asks for: a comma-separated list (the SDKs send `ETag,Checksum`, the
 * CLI may add spaces; names are case-sensitive as on S3). InvalidArgument when the header is
 * missing or empty, or names an attribute S3 does not have.
 */
export function parseObjectAttributes(value: string | undefined): ReadonlySet<ObjectAttribute> {
  if (value === undefined || value.trim() === '') {
    throw invalidArgument('The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty', 'x-amz-object-attributes', value ?? '');
  }
  const names = new Set<ObjectAttribute>();
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (!(OBJECT_ATTRIBUTES as readonly string[]).includes(name)) throw invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', name);
    names.add(name as ObjectAttribute);
  }
  return names;
}

/** A paging header: absent → `fallback`; else a whole number in [0, max] or InvalidArgument. */
export function parsePartsPagingHeader(name: 'x-amz-max-parts' | 'x-amz-part-number-marker', value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const trimmed = value.trim();
  if (!/^\d{1,9}$/.test(trimmed) || Number(trimmed) > max) throw invalidArgument(`${name} must be an integer between 0 and ${max}`, name, value);
  return Number(trimmed);
}

export interface ObjectAttributesInput {
  /** Quoted as stored; the response carries it bare, as S3's does. */
  readonly etag: string;
  readonly size: number;
  /** The version's full-object checksums: algorithm (lower case) → base64, `…-N` for COMPOSITE. */
  readonly checksums: Readonly<Record<string, string>>;
  /** Null for an object not uploaded in parts (ObjectParts is left out then, as on S3). */
  readonly parts: {
    readonly partCount: number;
    readonly marker: number;
    readonly maxParts: number;
    readonly page: readonly ObjectPart[];
    readonly isTruncated: boolean;
    readonly nextMarker: number | null;
  } | null;
}

/** `crc32` → `ChecksumCRC32`, `sha256` → `ChecksumSHA256`, `crc64nvme` → `ChecksumCRC64NVME`. */
function checksumElement(algorithm: string): string {
  return `Checksum${algorithm.toUpperCase()}`;
}

function checksumElements(checksums: Readonly<Record<string, string>>): string {
  return Object.entries(checksums).map(([algorithm, value]) => element(checksumElement(algorithm), value)).join('');
}

/**
 * The response body, with the asked-for attributes in S3's order. A multipart object's COMPOSITE
 * checksum goes out without its `-N` suffix (the count is ObjectParts' PartsCount) and with
 * `ChecksumType`; Checksum is left out when the object has none stored.
 */
export function objectAttributesXml(attributes: ReadonlySet<ObjectAttribute>, input: ObjectAttributesInput): string {
  let body = '';
  if (attributes.has('ETag')) body += element('ETag', input.etag.replace(/^"(.*)"$/, '$1'));
  const checksums = Object.entries(input.checksums);
  if (attributes.has('Checksum') && checksums.length > 0) {
    const composite = checksums.some(([, value]) => /-\d+$/.test(value));
    const bare = Object.fromEntries(checksums.map(([algorithm, value]) => [algorithm, value.replace(/-\d+$/, '')]));
    body += `<Checksum>${checksumElements(bare)}${element('ChecksumType', composite ? 'COMPOSITE' : 'FULL_OBJECT')}</Checksum>`;
  }
  if (attributes.has('ObjectParts') && input.parts !== null) {
    const { parts } = input;
    const listed = parts.page.map((part) => `<Part>${checksumElements(part.checksums)}${element('PartNumber', String(part.partNumber))}${element('Size', String(part.size))}</Part>`).join('');
    body += '<ObjectParts>'
      + element('IsTruncated', String(parts.isTruncated))
      + element('MaxParts', String(parts.maxParts))
      + (parts.nextMarker === null ? '' : element('NextPartNumberMarker', String(parts.nextMarker)))
      + element('PartNumberMarker', String(parts.marker))
      + listed
      + element('PartsCount', String(parts.partCount))
      + '</ObjectParts>';
  }
  if (attributes.has('StorageClass')) body += element('StorageClass', 'STANDARD');
  if (attributes.has('ObjectSize')) body += element('ObjectSize', String(input.size));
  return `${XML_DECLARATION}\n<GetObjectAttributesResponse xmlns="${S3_XML_NAMESPACE}">${body}</GetObjectAttributesResponse>`;
}
