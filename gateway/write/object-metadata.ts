import { S3Error } from '../../src/s3/errors.ts';
import { metadataValueFromHeader } from '../../src/s3/header-text.ts';

/** S3's limit on user metadata: names and values, UTF-8 bytes, summed. */
export const MAX_USER_METADATA_BYTES = 2 * 1024;

/**
 * `x-amz-meta-*` headers → lower-case names without the prefix, values as the client's text (raw
 * UTF-8 or RFC 2047, see header-text.ts); MetadataTooLarge past 2 KB.
 */
export function userMetadataFrom(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = metadataValueFromHeader(Array.isArray(value) ? value.join(',') : value);
    metadata[key] = text;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', { extra: { Size: String(bytes), MaxSizeAllowed: String(MAX_USER_METADATA_BYTES) } });
  }
  return metadata;
}
