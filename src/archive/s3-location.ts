/** `s3://bucket/key` as the archive commands take it, and where requests for it go. */
import { ArchiveError } from './errors.ts';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

export function isS3Url(text: string): boolean {
  return text.startsWith('s3://');
}

export function parseS3Url(text: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  if (!match) throw new ArchiveError('HLS_INPUT', `"${text}" is not an s3://bucket/key URL`);
  return { bucket: match[1]!, key: match[2]! };
}

export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Where requests for the object go, path-style: `<endpoint>/<bucket>/<key>` with each key segment encoded. */
export function objectPath(location: S3Location): string {
  return `/${encodeURIComponent(location.bucket)}/${location.key.split('/').map(encodeSegment).join('/')}`;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (as SigV4 expects). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
