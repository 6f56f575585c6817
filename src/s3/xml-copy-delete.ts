/**
 * XML bodies of CopyObject (CopyObjectResult), UploadPartCopy (CopyPartResult) and DeleteObjects
 * (DeleteResult). Element order follows the examples of the S3 API reference.
 */
import { checksumElements } from './xml-multipart.ts';
import { document, element, formatS3Timestamp, optionalElement, S3_XML_NAMESPACE } from './xml.ts';

export interface CopyResultXmlInput {
  /** Quoted. */
  etag: string;
  lastModified: Date;
  checksums?: Readonly<Record<string, string>>;
}

function copyResult(root: string, input: CopyResultXmlInput): string {
  return document(
    `<${root} xmlns="${S3_XML_NAMESPACE}">${element('ETag', input.etag)}` +
      `${element('LastModified', formatS3Timestamp(input.lastModified))}${checksumElements(input.checksums)}</${root}>`,
  );
}

export function copyObjectResultXml(input: CopyResultXmlInput): string {
  return copyResult('CopyObjectResult', input);
}

export function copyPartResultXml(input: CopyResultXmlInput): string {
  return copyResult('CopyPartResult', input);
}

/** One key of a DeleteObjects request: deleted, or refused with an S3 error code. */
export type DeleteResultEntry =
  | { readonly kind: 'deleted'; readonly key: string; readonly versionId?: string }
  | { readonly kind: 'error'; readonly key: string; readonly versionId?: string; readonly code: string; readonly message: string };

/** DeleteResult, entries in request order (quiet mode: the caller passes only the errors). */
export function deleteResultXml(entries: readonly DeleteResultEntry[]): string {
  const body = entries
    .map((entry) => entry.kind === 'deleted'
      ? `<Deleted>${element('Key', entry.key)}${optionalElement('VersionId', entry.versionId)}</Deleted>`
      : `<Error>${element('Key', entry.key)}${optionalElement('VersionId', entry.versionId)}` +
        `${element('Code', entry.code)}${element('Message', entry.message)}</Error>`)
    .join('');
  return document(`<DeleteResult xmlns="${S3_XML_NAMESPACE}">${body}</DeleteResult>`);
}
