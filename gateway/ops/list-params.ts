import type { Account, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { ObjectXmlInput } from '../../src/s3/xml.ts';

/** What ListObjects v1 and v2 read alike: max-keys, encoding-type, prefix, delimiter. */
export function parseListingQuery(query: URLSearchParams) {
  return {
    maxKeys: parseMaxKeys(query),
    encodingType: parseEncodingType(query),
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
  };
}

/** `max-keys`: 0..1000, default 1000; larger values are capped as S3 does. */
export function parseMaxKeys(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null || raw === '') return 1000;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', { message: 'Provided max-keys not an integer or within integer range', extra: { ArgumentName: 'max-keys', ArgumentValue: raw } });
  }
  return Math.min(1000, Number(raw));
}

/** `encoding-type`: absent or `url`. */
export function parseEncodingType(query: URLSearchParams): 'url' | undefined {
  const raw = query.get('encoding-type');
  if (raw === null || raw === '') return undefined;
  if (raw !== 'url') throw new S3Error('InvalidArgument', { message: 'Invalid Encoding Method specified in Request', extra: { ArgumentName: 'encoding-type', ArgumentValue: raw } });
  return 'url';
}

/** The later of two keys in UTF-8 byte order (S3's order), ignoring absent ones. */
export function laterKey(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}

/** Listed objects as the XML templates take them, with the owner when the request asks for it. */
export function listedObjects(objects: readonly ObjectVersion[], owner: Account | null): ObjectXmlInput[] {
  return objects.map((object) => ({
    key: object.key,
    lastModified: object.createdAt,
    etag: object.etag,
    size: object.size,
    owner: owner ? { id: owner.id, displayName: owner.name } : undefined,
  }));
}
