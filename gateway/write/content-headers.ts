import { CONTENT_HEADER_NAMES, type ContentHeaders, type ContentHeaderName } from '../../src/meta/types.ts';

/**
 * The representation headers of an upload (Cache-Control, Content-Disposition, Content-Encoding,
 * Content-Language, Expires), kept as sent. `aws-chunked` in Content-Encoding is the request's
 * framing, not the object's: S3 drops it (`aws-chunked,gzip` is stored as `gzip`, `aws-chunked`
 * alone as nothing).
 */
export function contentHeadersFrom(header: (name: string) => string | undefined): ContentHeaders {
  const headers: Partial<Record<ContentHeaderName, string>> = {};
  for (const name of CONTENT_HEADER_NAMES) {
    let value = header(name);
    if (value !== undefined && name === 'content-encoding') {
      value = value.split(',').map((token) => token.trim()).filter((token) => token !== '' && token.toLowerCase() !== 'aws-chunked').join(', ');
      if (value === '') value = undefined;
    }
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
