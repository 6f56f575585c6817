import { BucketAlreadyExistsError } from '../../src/meta/store.ts';
import { bucketNameProblem } from '../../src/s3/bucket-name.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-request.ts';
import { cannedAclFromHeaders } from './canned-acl.ts';
import { readVerifiedBody } from './verified-body.ts';

export async function createBucket(request: S3Request): Promise<Response> {
  const { deps, bucket: name } = request;
  const problem = bucketNameProblem(name);
  if (problem) throw new S3Error('InvalidBucketName', { message: problem, extra: { BucketName: name } });
  const acl = cannedAclFromHeaders((header) => request.c.req.header(header)) ?? 'private';
  const body = (await readVerifiedBody(request, { maxBytes: 64 * 1024 })).toString('utf8');
  if (body.trim() !== '') await parseXmlBody(body); // CreateBucketConfiguration: validated, region is ours
  try {
    await deps.store.createBucket({ name, accountId: request.auth.accountId, createdAt: deps.now(), profile: deps.config.profile, acl });
  } catch (error) {
    if (error instanceof BucketAlreadyExistsError) {
      throw new S3Error(error.ownerAccountId === request.auth.accountId ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists', {
        resource: `/${name}`, extra: { BucketName: name },
      });
    }
    throw error;
  }
  return new Response(null, { status: 200, headers: { location: `/${name}` } });
}
