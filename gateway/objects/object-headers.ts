import { metadataValueToHeader } from '../../src/s3/header-text.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';

/**
 * Headers GET and HEAD share: type, ETag, dates, stored representation headers, user metadata,
 * and `x-amz-tagging-count` when the object has tags (as S3: absent when it has none).
 */
export function objectHeaders(version: ObjectVersion): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': version.contentType,
    etag: version.etag,
    'last-modified': version.createdAt.toUTCString(),
    'accept-ranges': 'bytes',
    ...version.contentHeaders,
    ...sseS3ResponseHeaders(version.encryption),
  };
  for (const [name, value] of Object.entries(version.userMetadata)) headers[`x-amz-meta-${name}`] = metadataValueToHeader(value);
  if (version.tags.length > 0) headers['x-amz-tagging-count'] = String(version.tags.length);
  return headers;
}

/**
 * The stored full-object checksums, only when the client asked (`x-amz-checksum-mode: ENABLED`)
 * and only for a whole-object response: a checksum of the whole object on a ranged response makes
 * validating SDKs fail. `x-amz-checksum-type` says which kind S3 would call it: a multipart
 * checksum of checksums (`…-N`) is COMPOSITE, any other FULL_OBJECT.
 */
export function checksumHeaders(version: ObjectVersion, checksumMode: string | undefined, ranged: boolean): Record<string, string> {
  if (ranged || checksumMode?.toUpperCase() !== 'ENABLED') return {};
  const headers: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(version.checksums)) {
    headers[`x-amz-checksum-${algorithm}`] = value;
    headers['x-amz-checksum-type'] = /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT';
  }
  return headers;
}

const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** GetObject's `response-*` query parameters, which override the stored headers. */
export function responseOverrides(query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(parameter);
    if (value !== null) headers[header] = value;
  }
  return headers;
}
