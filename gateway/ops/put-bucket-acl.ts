import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseAccessControlPolicy } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { requireOwnedBucket } from '../access/bucket-access.ts';
import { cannedAclFromHeaders, cannedAclFromPolicy } from './canned-acl.ts';
import { readVerifiedBody } from './verified-body.ts';

const MAX_ACL_BODY_BYTES = 64 * 1024;

/**
 * PutBucketAcl with a canned `x-amz-acl` header or an AccessControlPolicy body that amounts to
 * one (see canned-acl.ts). Both at once is UnexpectedContent and neither MissingSecurityHeader,
 * as S3 answers.
 */
export async function putBucketAcl(request: S3Request): Promise<Response> {
  const bucket = await requireOwnedBucket(request);
  const fromHeaders = cannedAclFromHeaders((name) => request.c.req.header(name));
  const body = await readVerifiedBody(request, { maxBytes: MAX_ACL_BODY_BYTES });
  const hasBody = body.toString('utf8').trim() !== '';
  if (fromHeaders !== undefined && hasBody) throw new S3Error('UnexpectedContent');
  let acl = fromHeaders;
  if (acl === undefined) {
    if (!hasBody) {
      throw new S3Error('MissingSecurityHeader', { message: 'Your request was missing a required header', extra: { MissingHeaderName: 'x-amz-acl' } });
    }
    acl = cannedAclFromPolicy(parseAccessControlPolicy(await parseXmlBody(body)), bucket.accountId);
  }
  await request.deps.store.setBucketAcl(bucket.name, acl);
  return new Response(null, { status: 200 });
}
