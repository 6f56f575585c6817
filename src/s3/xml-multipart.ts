/**
 * XML bodies of the multipart operations: InitiateMultipartUploadResult,
 * CompleteMultipartUploadResult, ListPartsResult, ListMultipartUploadsResult. Element order
 * follows the examples of the S3 API reference; escaping and timestamps as in xml.ts.
 */
import {
  document, element, formatS3Timestamp, optionalElement, ownerXml, s3UrlEncode, S3_XML_NAMESPACE, type OwnerXmlInput,
} from './xml.ts';

/** `crc32` → `<ChecksumCRC32>…</ChecksumCRC32>`, for each stored checksum in a stable order. */
export function checksumElements(checksums: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(checksums ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([algorithm, value]) => element(`Checksum${algorithm.toUpperCase()}`, value))
    .join('');
}

function encoder(encodingType: 'url' | undefined): (text: string) => string {
  return encodingType === 'url' ? s3UrlEncode : (text) => text;
}

export function initiateMultipartUploadResultXml(input: { bucket: string; key: string; uploadId: string }): string {
  return document(
    `<InitiateMultipartUploadResult xmlns="${S3_XML_NAMESPACE}">${element('Bucket', input.bucket)}` +
      `${element('Key', input.key)}${element('UploadId', input.uploadId)}</InitiateMultipartUploadResult>`,
  );
}

export interface CompleteMultipartUploadResultXmlInput {
  /** The object's URL. */
  location: string;
  bucket: string;
  key: string;
  /** Quoted, `"…-N"`. */
  etag: string;
  /** Algorithm (lower case) → composite value `…-N`. */
  checksums?: Readonly<Record<string, string>>;
  /** `COMPOSITE` or `FULL_OBJECT`, when the object has a checksum. */
  checksumType?: string;
}

export function completeMultipartUploadResultXml(input: CompleteMultipartUploadResultXmlInput): string {
  return document(
    `<CompleteMultipartUploadResult xmlns="${S3_XML_NAMESPACE}">${element('Location', input.location)}` +
      `${element('Bucket', input.bucket)}${element('Key', input.key)}${element('ETag', input.etag)}` +
      `${checksumElements(input.checksums)}${optionalElement('ChecksumType', input.checksumType)}</CompleteMultipartUploadResult>`,
  );
}

export interface PartXmlInput {
  partNumber: number;
  lastModified: Date;
  etag: string;
  size: number;
  checksums?: Readonly<Record<string, string>>;
}

export interface ListPartsResultXmlInput {
  bucket: string;
  key: string;
  uploadId: string;
  initiator: OwnerXmlInput;
  owner: OwnerXmlInput;
  /** Default `STANDARD`. */
  storageClass?: string;
  /** The request's marker (0 when none). */
  partNumberMarker: number;
  /** The last part number of the page, when it has parts. */
  nextPartNumberMarker?: number;
  maxParts: number;
  isTruncated: boolean;
  parts: readonly PartXmlInput[];
  checksumAlgorithm?: string;
  checksumType?: string;
  /** When `url`, the key is sent through `s3UrlEncode`. */
  encodingType?: 'url';
}

function initiatorXml(initiator: OwnerXmlInput): string {
  return `<Initiator>${element('ID', initiator.id)}${element('DisplayName', initiator.displayName)}</Initiator>`;
}

export function listPartsResultXml(input: ListPartsResultXmlInput): string {
  const parts = input.parts
    .map((part) =>
      `<Part>${element('PartNumber', String(part.partNumber))}${element('LastModified', formatS3Timestamp(part.lastModified))}` +
        `${element('ETag', part.etag)}${element('Size', String(part.size))}${checksumElements(part.checksums)}</Part>`)
    .join('');
  return document(
    `<ListPartsResult xmlns="${S3_XML_NAMESPACE}">${element('Bucket', input.bucket)}` +
      `${element('Key', encoder(input.encodingType)(input.key))}${element('UploadId', input.uploadId)}` +
      `${initiatorXml(input.initiator)}${ownerXml(input.owner)}${element('StorageClass', input.storageClass ?? 'STANDARD')}` +
      `${optionalElement('ChecksumAlgorithm', input.checksumAlgorithm)}${optionalElement('ChecksumType', input.checksumType)}` +
      `${element('PartNumberMarker', String(input.partNumberMarker))}` +
      `${optionalElement('NextPartNumberMarker', input.nextPartNumberMarker?.toString())}` +
      `${element('MaxParts', String(input.maxParts))}${element('IsTruncated', String(input.isTruncated))}` +
      `${optionalElement('EncodingType', input.encodingType)}${parts}</ListPartsResult>`,
  );
}

export interface UploadXmlInput {
  key: string;
  uploadId: string;
  initiator: OwnerXmlInput;
  owner: OwnerXmlInput;
  storageClass?: string;
  initiated: Date;
  checksumAlgorithm?: string;
}

export interface ListMultipartUploadsResultXmlInput {
  bucket: string;
  /** The request's markers; always sent, empty when none. */
  keyMarker?: string;
  uploadIdMarker?: string;
  /** When truncated: where the next page starts. */
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
  delimiter?: string;
  prefix?: string;
  maxUploads: number;
  isTruncated: boolean;
  uploads: readonly UploadXmlInput[];
  commonPrefixes: readonly string[];
  /** When `url`, keys, prefixes, delimiter and key markers are sent through `s3UrlEncode`. */
  encodingType?: 'url';
}

export function listMultipartUploadsResultXml(input: ListMultipartUploadsResultXmlInput): string {
  const encode = encoder(input.encodingType);
  const encodeOptional = (text: string | undefined) => (text === undefined ? undefined : encode(text));
  const uploads = input.uploads
    .map((upload) =>
      `<Upload>${element('Key', encode(upload.key))}${element('UploadId', upload.uploadId)}${initiatorXml(upload.initiator)}` +
        `${ownerXml(upload.owner)}${element('StorageClass', upload.storageClass ?? 'STANDARD')}` +
        `${element('Initiated', formatS3Timestamp(upload.initiated))}${optionalElement('ChecksumAlgorithm', upload.checksumAlgorithm)}</Upload>`)
    .join('');
  const prefixes = input.commonPrefixes.map((prefix) => `<CommonPrefixes>${element('Prefix', encode(prefix))}</CommonPrefixes>`).join('');
  return document(
    `<ListMultipartUploadsResult xmlns="${S3_XML_NAMESPACE}">${element('Bucket', input.bucket)}` +
      `${element('KeyMarker', encode(input.keyMarker ?? ''))}${element('UploadIdMarker', input.uploadIdMarker ?? '')}` +
      `${optionalElement('NextKeyMarker', encodeOptional(input.nextKeyMarker))}` +
      `${optionalElement('NextUploadIdMarker', input.nextUploadIdMarker)}` +
      `${optionalElement('Delimiter', encodeOptional(input.delimiter))}${element('Prefix', encode(input.prefix ?? ''))}` +
      `${element('MaxUploads', String(input.maxUploads))}${element('IsTruncated', String(input.isTruncated))}` +
      `${optionalElement('EncodingType', input.encodingType)}${uploads}${prefixes}</ListMultipartUploadsResult>`,
  );
}
