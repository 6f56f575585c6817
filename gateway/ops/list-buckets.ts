import { listAllMyBucketsXml } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { xmlResponse } from './responses.ts';

export async function listBuckets(request: S3Request): Promise<Response> {
  const { store } = request.deps;
  const account = await store.getAccount(request.auth.accountId);
  const buckets = await store.listBuckets(request.auth.accountId);
  return xmlResponse(listAllMyBucketsXml(
    { id: request.auth.accountId, displayName: account?.name ?? request.auth.accountId },
    buckets.map((bucket) => ({ name: bucket.name, creationDate: bucket.createdAt })),
  ));
}
