import type { MetaStore } from '../../src/meta/store.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { Span } from '../../src/span.ts';
import { parsePartNumber } from './part-number.ts';

/** What GetObject / HeadObject `?partNumber=N` serves. */
export interface PartRead {
  /** The part's span of the object; null for a whole empty object (nothing to range). */
  readonly span: Span | null;
  /** `x-amz-mp-parts-count`, for a multipart object only (as S3). */
  readonly headers: Record<string, string>;
}

/**
 * GetObject / HeadObject with `partNumber`: a ranged read of that part of a completed multipart
 * object, with its parts count; on an object uploaded whole, part 1 is the whole object (S3 and
 * ceph/s3-tests `test_non_multipart_get_part`). A part the object does not have is 400
 * InvalidPart; a Range header as well is InvalidRequest. Null when the request has no partNumber.
 */
export async function readPartNumber(
  request: { readonly deps: { readonly store: MetaStore }; readonly query: URLSearchParams },
  version: ObjectVersion,
  rangeHeader: string | undefined,
): Promise<PartRead | null> {
  if (!request.query.has('partNumber')) return null;
  const partNumber = parsePartNumber(request.query.get('partNumber'));
  if (rangeHeader !== undefined) {
    throw new S3Error('InvalidRequest', { message: 'Cannot specify both Range header and partNumber query parameter' });
  }
  const { partCount, part } = await request.deps.store.getObjectPart(version.versionId, partNumber);
  const invalidPart = () => new S3Error('InvalidPart', { message: 'The requested partnumber is not satisfiable', extra: { PartNumber: String(partNumber) } });
  if (partCount === 0) {
    if (partNumber !== 1) throw invalidPart();
    return { span: version.size === 0 ? null : { offset: 0, length: version.size }, headers: {} };
  }
  if (!part) throw invalidPart();
  return { span: { offset: part.offset, length: part.size }, headers: { 'x-amz-mp-parts-count': String(partCount) } };
}
