import { S3Error } from '../../src/s3/errors.ts';
import { listBucketResultV2Xml } from '../../src/s3/xml.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { laterKey, listedObjects, parseListingQuery } from './list-params.ts';
import { xmlResponse } from './responses.ts';

/** Continuation tokens are opaque to clients: the last returned key, base64url-encoded. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (encodeToken(key) !== token) {
    throw new S3Error('InvalidArgument', { message: 'The continuation token provided is incorrect', extra: { ArgumentName: 'continuation-token' } });
  }
  return key;
}

export async function listObjectsV2(request: PublicReadRequest): Promise<Response> {
  const { query } = request;
  const bucket = await authorizeBucket(request);
  const { maxKeys, encodingType, prefix, delimiter } = parseListingQuery(query);
  // An empty token is no token (S3 answers it as a first page; some tools send `continuation-token=`).
  const continuationToken = query.get('continuation-token') || undefined;
  const startAfter = query.get('start-after') || undefined;
  const after = laterKey(continuationToken === undefined ? undefined : decodeToken(continuationToken), startAfter);
  const page = await request.deps.store.listObjects(bucket.name, { prefix, after, delimiter, maxKeys });
  const fetchOwner = query.get('fetch-owner') === 'true';
  const account = fetchOwner ? await request.deps.store.getAccount(bucket.accountId) : null;
  return xmlResponse(listBucketResultV2Xml({
    name: bucket.name,
    prefix,
    delimiter,
    maxKeys,
    isTruncated: page.isTruncated,
    continuationToken,
    nextContinuationToken: page.isTruncated && page.nextAfter !== null ? encodeToken(page.nextAfter) : undefined,
    startAfter,
    encodingType,
    contents: listedObjects(page.objects, account),
    commonPrefixes: page.commonPrefixes,
  }));
}
