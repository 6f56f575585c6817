import type { BucketAcl } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { ALL_USERS_URI, parseAccessControlPolicy, type AccessControlPolicyInput } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { readVerifiedBody } from './verified-body.ts';

const MAX_ACL_BODY_BYTES = 64 * 1024;

/** Every canned ACL name S3 knows; shardgate keeps `private` and `public-read`. */
const KNOWN_CANNED_ACLS = [
  'private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read',
  'bucket-owner-read', 'bucket-owner-full-control', 'log-delivery-write',
];
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

type HeaderReader = (name: string) => string | undefined;

/**
 * The canned ACL a CreateBucket, PutBucketAcl, PutObject, CopyObject, CreateMultipartUpload or
 * PutObjectAcl asks for with headers: `x-amz-acl` (canned), or
 * undefined when it names none. An unknown name is InvalidArgument and a canned ACL together with
 * `x-amz-grant-*` headers is InvalidRequest, as on S3; canned ACLs other than private and
 * public-read, and grant headers, are NotImplemented: anonymous writes never happen here.
 */
export function cannedAclFromHeaders(header: HeaderReader): BucketAcl | undefined {
  const canned = header('x-amz-acl')?.trim();
  const grants = GRANT_HEADERS.filter((name) => header(name) !== undefined);
  if (canned !== undefined && grants.length > 0) {
    throw new S3Error('InvalidRequest', { message: 'Specifying both Canned ACLs and Header Grants is not allowed' });
  }
  if (grants.length > 0) {
    throw new S3Error('NotImplemented', { message: `shardgate keeps only the canned ACLs private and public-read; ${grants[0]} is not supported.` });
  }
  if (canned === undefined) return undefined;
  if (canned === 'private' || canned === 'public-read') return canned;
  if (KNOWN_CANNED_ACLS.includes(canned)) {
    throw new S3Error('NotImplemented', { message: `shardgate keeps only the canned ACLs private and public-read, not ${canned}.` });
  }
  throw new S3Error('InvalidArgument', { extra: { ArgumentName: 'x-amz-acl', ArgumentValue: canned } });
}

/**
 * A PutBucketAcl body reduced to the canned ACL it amounts to. Grants of FULL_CONTROL to the
 * owner and READ to AllUsers are what `private` and `public-read` consist of (a list without the
 * owner's grant changes nothing: the owner keeps control here); any other grant is NotImplemented.
 * An owner other than the bucket's is AccessDenied, as on S3.
 */
export function cannedAclFromPolicy(policy: AccessControlPolicyInput, bucketOwnerId: string): BucketAcl {
  if (policy.ownerId !== bucketOwnerId) throw new S3Error('AccessDenied');
  let publicRead = false;
  for (const { grantee, permission } of policy.grants) {
    if (grantee.type === 'CanonicalUser' && grantee.id === bucketOwnerId && permission === 'FULL_CONTROL') continue;
    if (grantee.type === 'Group' && grantee.uri === ALL_USERS_URI && permission === 'READ') {
      publicRead = true;
      continue;
    }
    throw new S3Error('NotImplemented', {
      message: 'shardgate keeps only the canned ACLs private and public-read: grants other than FULL_CONTROL to the owner and READ to AllUsers are not supported.',
    });
  }
  return publicRead ? 'public-read' : 'private';
}

/**
 * The canned ACL a PutBucketAcl or PutObjectAcl sets: an `x-amz-acl` header or an
 * AccessControlPolicy body that amounts to one (cannedAclFromPolicy, owned by `ownerId`). Both at
 * once is UnexpectedContent and neither MissingSecurityHeader, as S3 answers.
 */
export async function cannedAclOfAclRequest(request: S3Request, ownerId: string): Promise<BucketAcl> {
  const fromHeaders = cannedAclFromHeaders((name) => request.c.req.header(name));
  const body = await readVerifiedBody(request, { maxBytes: MAX_ACL_BODY_BYTES });
  const hasBody = body.toString('utf8').trim() !== '';
  if (fromHeaders !== undefined && hasBody) throw new S3Error('UnexpectedContent');
  if (fromHeaders !== undefined) return fromHeaders;
  if (!hasBody) {
    throw new S3Error('MissingSecurityHeader', { message: 'Your request was missing a required header', extra: { MissingHeaderName: 'x-amz-acl' } });
  }
  return cannedAclFromPolicy(parseAccessControlPolicy(await parseXmlBody(body)), ownerId);
}
