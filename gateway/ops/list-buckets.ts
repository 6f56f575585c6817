import { S3Error } from '../../src/s3/errors.ts';
import { listAllMyBucketsXml } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { xmlResponse } from './responses.ts';

/** S3's range for `max-buckets`; without it S3 returns every bucket (at most 10,000 per account). */
const MAX_BUCKETS_LIMIT = 10_000;

/** The continuation token is the last bucket name of the page, base64url: opaque to clients. */
function decodeToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (Buffer.from(name, 'utf8').toString('base64url') !== token) {
    throw new S3Error('InvalidArgument', { message: 'The continuation token provided is incorrect', extra: { ArgumentName: 'continuation-token' } });
  }
  return name;
}

function parseMaxBuckets(raw: string | null): number {
  if (raw === null) return MAX_BUCKETS_LIMIT;
  const value = Number(raw);
  if (!/^\d{1,6}$/.test(raw) || value < 1 || value > MAX_BUCKETS_LIMIT) {
    throw new S3Error('InvalidArgument', {
      message: `max-buckets must be an integer from 1 to ${MAX_BUCKETS_LIMIT}`,
      extra: { ArgumentName: 'max-buckets', ArgumentValue: raw },
    });
  }
  return value;
}

/** ListBuckets with S3's optional pagination: `max-buckets`, `continuation-token`, `prefix`. */
export async function listBuckets(request: S3Request): Promise<Response> {
  const { store } = request.deps;
  const { query } = request;
  const limit = parseMaxBuckets(query.get('max-buckets'));
  const prefix = query.get('prefix') || undefined;
  const token = query.get('continuation-token') || undefined;
  const after = token === undefined ? undefined : decodeToken(token);
  const account = await store.getAccount(request.auth.accountId);
  // One more than the page, to know whether another page follows.
  const buckets = await store.listBuckets(request.auth.accountId, { prefix, after, limit: limit + 1 });
  const page = buckets.slice(0, limit);
  const next = buckets.length > limit ? Buffer.from(page.at(-1)!.name, 'utf8').toString('base64url') : undefined;
  return xmlResponse(listAllMyBucketsXml(
    { id: request.auth.accountId, displayName: account?.name ?? request.auth.accountId },
    page.map((bucket) => ({ name: bucket.name, creationDate: bucket.createdAt })),
    { continuationToken: next, prefix },
  ));
}
