import type { ObjectHeaders } from '../../src/meta/multipart-types.ts';
import type { ObjectEncryption, Tag } from '../../src/meta/types.ts';
import { parseTaggingHeader } from '../../src/s3/tagging.ts';
import { contentHeadersFrom } from '../write/content-headers.ts';
import { userMetadataFrom } from '../write/object-metadata.ts';

/** What S3 stores when a writer gives no Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * The object fields a request chooses, from its headers: Content-Type, `x-amz-meta-*`
 * (MetadataTooLarge past 2 KB), the representation headers S3 keeps and the tags of `x-amz-tagging`
 * (InvalidTag), as PutObject stores them.
 * Used where the object's bytes come from elsewhere: CreateMultipartUpload, CopyObject `REPLACE`.
 * `encryption` is how those bytes are (or will be) encrypted.
 */
export function objectHeadersFromRequest(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  header: (name: string) => string | undefined,
  encryption: ObjectEncryption | null,
): ObjectHeaders {
  return {
    contentType: header('content-type') || DEFAULT_CONTENT_TYPE,
    userMetadata: userMetadataFrom(headers),
    contentHeaders: contentHeadersFrom(header),
    encryption,
    tags: requestTags(header),
  };
}

/** The tag set of the request's `x-amz-tagging` header ([] without one); InvalidTag past S3's limits. */
export function requestTags(header: (name: string) => string | undefined): readonly Tag[] {
  const value = header('x-amz-tagging');
  return value === undefined ? [] : parseTaggingHeader(value);
}
