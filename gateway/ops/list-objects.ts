import { listBucketResultV1Xml } from '../../src/s3/xml.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { listedObjects, parseListingQuery } from './list-params.ts';
import { xmlResponse } from './responses.ts';

/** ListObjects (v1): `marker` instead of a token; NextMarker only when a delimiter is given, as S3 does. */
export async function listObjects(request: PublicReadRequest): Promise<Response> {
  const { query } = request;
  const bucket = await authorizeBucket(request);
  const { maxKeys, encodingType, prefix, delimiter } = parseListingQuery(query);
  const marker = query.get('marker') ?? '';
  const page = await request.deps.store.listObjects(bucket.name, { prefix, after: marker || undefined, delimiter, maxKeys });
  const account = await request.deps.store.getAccount(bucket.accountId);
  return xmlResponse(listBucketResultV1Xml({
    name: bucket.name,
    prefix,
    marker,
    delimiter,
    maxKeys,
    isTruncated: page.isTruncated,
    nextMarker: page.isTruncated && delimiter !== undefined && page.nextAfter !== null ? page.nextAfter : undefined,
    encodingType,
    contents: listedObjects(page.objects, account),
    commonPrefixes: page.commonPrefixes,
  }));
}
