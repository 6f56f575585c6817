/**
 * S3 XML bodies: typed builders for the responses (strings, declaration included) and one parser
 * for request bodies.
 *
 * Element names and order follow AWS's own examples in the S3 API reference (the same order
 * Garage emits): ListBucketResult = Name, Prefix, Marker/StartAfter, ContinuationToken,
 * NextContinuationToken, KeyCount, MaxKeys, Delimiter, EncodingType, IsTruncated, Contents…,
 * CommonPrefixes…; Contents = Key, LastModified, ETag, ChecksumAlgorithm, Size, Owner,
 * StorageClass. Output is compact (no indentation), as S3 sends it.
 *
 * Text escaping: `& < > " '` as entities (an ETag `"…"` goes out as `&quot;…&quot;`, as on AWS),
 * and CR / LF as `&#xD;` / `&#xA;`, because XML parsers turn a raw CR into LF (the AWS JS SDK's
 * parser does) and a key must survive byte for byte. Other C0 control characters are invalid in
 * XML 1.0 whether raw or as `&#x1;`; raw is what the lenient parsers accept (AWS JS SDK v3 and
 * xml2js both do; sax rejects `&#x1;`), and strict parsers need `encoding-type=url` anyway, which
 * botocore requests by default.
 */
import { parseStringPromise } from 'xml2js';
import { S3Error } from './errors.ts';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
  '\n': '&#xA;',
};

/** Escapes text for element content or a double-quoted attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r\n]/g, (char) => XML_ESCAPES[char] ?? char);
}

const URL_SAFE = /^[A-Za-z0-9\-_.~/]*$/;
const HEX_DIGITS = '0123456789ABCDEF';
const URL_UNESCAPED: ReadonlySet<number> = new Set(
  Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/', (char) => char.charCodeAt(0)),
);

/**
 * `encoding-type=url`: percent-encodes the UTF-8 bytes of `text` (a lone surrogate as U+FFFD),
 * leaving only the RFC 3986 unreserved characters (A–Z a–z 0–9 - _ . ~) and `/`. A space becomes `%20`, never `+`:
 * botocore decodes listings with `unquote`, which leaves `+` alone, and ceph/s3-tests
 * (`test_bucket_listv2_encoding_basic`) expect `quux ab/` → `quux%20ab/`, `asdf+b` → `asdf%2Bb`.
 */
export function s3UrlEncode(text: string): string {
  if (URL_SAFE.test(text)) return text;
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    encoded += URL_UNESCAPED.has(byte) ? String.fromCharCode(byte) : `%${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 15]}`;
  }
  return encoded;
}

/** S3 timestamps: ISO 8601 UTC with milliseconds, `2009-10-12T17:50:30.000Z`. */
export function formatS3Timestamp(date: Date): string {
  return date.toISOString();
}

export function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

export function optionalElement(name: string, text: string | undefined): string {
  return text === undefined ? '' : element(name, text);
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function document(body: string): string {
  return `${XML_DECLARATION}\n${body}`;
}

// ---------------------------------------------------------------------------------------------
// Error

export interface ErrorXmlInput {
  code: string;
  message: string;
  /** Usually the request path, `/bucket/key`. */
  resource?: string;
  requestId: string;
  hostId?: string;
  /** Extra children after `<Message>`, in order (`BucketName`, `Key`, `RangeRequested`, …). */
  extra?: Record<string, string>;
}

/** `<Error><Code/><Message/>[extra…]<Resource/><RequestId/><HostId/></Error>` (no namespace, as AWS). */
export function errorXml(input: ErrorXmlInput): string {
  let extra = '';
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    if (!XML_NAME.test(name)) throw new RangeError(`not an XML element name: ${JSON.stringify(name)}`);
    extra += element(name, value);
  }
  return document(
    `<Error>${element('Code', input.code)}${element('Message', input.message)}${extra}` +
      `${optionalElement('Resource', input.resource)}${element('RequestId', input.requestId)}` +
      `${optionalElement('HostId', input.hostId)}</Error>`,
  );
}

/** The body for an `S3Error` (its code, message, resource and extra elements). */
export function s3ErrorXml(error: S3Error, requestId: string, hostId?: string): string {
  return errorXml({
    code: error.code,
    message: error.message,
    resource: error.resource,
    requestId,
    hostId,
    extra: error.extra,
  });
}

// ---------------------------------------------------------------------------------------------
// ListBuckets

export interface OwnerXmlInput {
  id: string;
  displayName: string;
}

export interface BucketXmlInput {
  name: string;
  creationDate: Date;
}

export function ownerXml(owner: OwnerXmlInput): string {
  return `<Owner>${element('ID', owner.id)}${element('DisplayName', owner.displayName)}</Owner>`;
}

/** ListBuckets: `ListAllMyBucketsResult` = Owner, Buckets, [ContinuationToken], [Prefix]. */
export function listAllMyBucketsXml(
  owner: OwnerXmlInput,
  buckets: readonly BucketXmlInput[],
  page: { continuationToken?: string; prefix?: string } = {},
): string {
  const bucketElements = buckets
    .map((bucket) => `<Bucket>${element('Name', bucket.name)}${element('CreationDate', formatS3Timestamp(bucket.creationDate))}</Bucket>`)
    .join('');
  return document(
    `<ListAllMyBucketsResult xmlns="${S3_XML_NAMESPACE}">${ownerXml(owner)}<Buckets>${bucketElements}</Buckets>` +
      `${optionalElement('ContinuationToken', page.continuationToken)}${optionalElement('Prefix', page.prefix)}` +
      `</ListAllMyBucketsResult>`,
  );
}

// ---------------------------------------------------------------------------------------------
// ListObjects (v2 and v1)

export interface ObjectXmlInput {
  key: string;
  lastModified: Date;
  /** Quoted, as stored: `"9e107d9d372bb6826bd81d3542a419d6"`. */
  etag: string;
  size: number;
  /** Default `STANDARD`. */
  storageClass?: string;
  /** ListObjectsV2 with `fetch-owner=true`; always sent by ListObjects v1. */
  owner?: OwnerXmlInput;
  /** e.g. `CRC32`, when the object was uploaded with a checksum. */
  checksumAlgorithm?: string;
}

interface ListingCommon {
  /** Bucket name. */
  name: string;
  /** The request's prefix; `<Prefix>` is always sent, empty when none. */
  prefix?: string;
  delimiter?: string;
  maxKeys: number;
  isTruncated: boolean;
  contents: readonly ObjectXmlInput[];
  commonPrefixes: readonly string[];
  /** When `url`, keys, prefixes, delimiter and markers are sent through `s3UrlEncode`. */
  encodingType?: 'url';
}

export interface ListBucketResultV2XmlInput extends ListingCommon {
  continuationToken?: string;
  nextContinuationToken?: string;
  startAfter?: string;
}

export interface ListBucketResultV1XmlInput extends ListingCommon {
  /** The request's marker; `<Marker>` is always sent, empty when none. */
  marker?: string;
  nextMarker?: string;
}

function listingEncoder(encodingType: 'url' | undefined): (text: string) => string {
  return encodingType === 'url' ? s3UrlEncode : (text) => text;
}

function contentsXml(objects: readonly ObjectXmlInput[], encode: (text: string) => string): string {
  return objects
    .map(
      (object) =>
        `<Contents>${element('Key', encode(object.key))}` +
        `${element('LastModified', formatS3Timestamp(object.lastModified))}${element('ETag', object.etag)}` +
        `${optionalElement('ChecksumAlgorithm', object.checksumAlgorithm)}${element('Size', String(object.size))}` +
        `${object.owner === undefined ? '' : ownerXml(object.owner)}` +
        `${element('StorageClass', object.storageClass ?? 'STANDARD')}</Contents>`,
    )
    .join('');
}

function commonPrefixesXml(prefixes: readonly string[], encode: (text: string) => string): string {
  return prefixes.map((prefix) => `<CommonPrefixes>${element('Prefix', encode(prefix))}</CommonPrefixes>`).join('');
}

/** ListObjectsV2. `KeyCount` = contents + common prefixes (as S3 counts them). */
export function listBucketResultV2Xml(input: ListBucketResultV2XmlInput): string {
  const encode = listingEncoder(input.encodingType);
  const encodeOptional = (text: string | undefined) => (text === undefined ? undefined : encode(text));
  const keyCount = input.contents.length + input.commonPrefixes.length;
  return document(
    `<ListBucketResult xmlns="${S3_XML_NAMESPACE}">${element('Name', input.name)}` +
      `${element('Prefix', encode(input.prefix ?? ''))}${optionalElement('StartAfter', encodeOptional(input.startAfter))}` +
      `${optionalElement('ContinuationToken', input.continuationToken)}` +
      `${optionalElement('NextContinuationToken', input.nextContinuationToken)}` +
      `${element('KeyCount', String(keyCount))}${element('MaxKeys', String(input.maxKeys))}` +
      `${optionalElement('Delimiter', encodeOptional(input.delimiter))}${optionalElement('EncodingType', input.encodingType)}` +
      `${element('IsTruncated', String(input.isTruncated))}` +
      `${contentsXml(input.contents, encode)}${commonPrefixesXml(input.commonPrefixes, encode)}</ListBucketResult>`,
  );
}

/** ListObjects (v1). */
export function listBucketResultV1Xml(input: ListBucketResultV1XmlInput): string {
  const encode = listingEncoder(input.encodingType);
  const encodeOptional = (text: string | undefined) => (text === undefined ? undefined : encode(text));
  return document(
    `<ListBucketResult xmlns="${S3_XML_NAMESPACE}">${element('Name', input.name)}` +
      `${element('Prefix', encode(input.prefix ?? ''))}${element('Marker', encode(input.marker ?? ''))}` +
      `${optionalElement('NextMarker', encodeOptional(input.nextMarker))}${element('MaxKeys', String(input.maxKeys))}` +
      `${optionalElement('Delimiter', encodeOptional(input.delimiter))}${optionalElement('EncodingType', input.encodingType)}` +
      `${element('IsTruncated', String(input.isTruncated))}` +
      `${contentsXml(input.contents, encode)}${commonPrefixesXml(input.commonPrefixes, encode)}</ListBucketResult>`,
  );
}

// ---------------------------------------------------------------------------------------------
// GetBucketLocation

/** GetBucketLocation. `us-east-1` (and '') is the empty element, as AWS answers for that region. */
export function locationConstraintXml(region: string): string {
  if (region === '' || region === 'us-east-1') return document(`<LocationConstraint xmlns="${S3_XML_NAMESPACE}"/>`);
  return document(`<LocationConstraint xmlns="${S3_XML_NAMESPACE}">${escapeXml(region)}</LocationConstraint>`);
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/**
 * Parses a request body (CreateBucketConfiguration, CompleteMultipartUpload, Delete, …) with
 * xml2js defaults: `{ Root: { $?: attributes, Child: [ … ] } }` — every child element is an
 * array, a text-only element is its string (whitespace kept, so a key of "  " survives), an empty
 * element is ''. Bytes must be UTF-8. sax does not fetch external entities or expand DTD-defined
 * ones (an unknown entity is an error). Throws `S3Error('MalformedXML')` for anything that is not
 * one well-formed document, including an empty body. Bound the body size before calling.
 */
export async function parseXmlBody(body: string | Uint8Array): Promise<unknown> {
  let text: string;
  try {
    text = typeof body === 'string' ? body.replace(/^\uFEFF/, '') : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (cause) {
    throw new S3Error('MalformedXML', { cause });
  }
  let parsed: unknown;
  try {
    parsed = await parseStringPromise(text);
  } catch (cause) {
    throw new S3Error('MalformedXML', { cause });
  }
  if (parsed === null || typeof parsed !== 'object') throw new S3Error('MalformedXML');
  return parsed;
}
