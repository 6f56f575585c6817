import { S3Error } from '../../src/s3/errors.ts';
import { hasNulCharacter } from '../../src/s3/nul-character.ts';
import { formBoundary, readPostForm } from '../../src/s3/multipart-form.ts';
import { checkFileLength, checkPostPolicy, parsePostPolicy, type LengthRange } from '../../src/s3/post-policy.ts';
import { s3UrlEncode } from '../../src/s3/xml.ts';
import type { ObjectAcl } from '../../src/meta/types.ts';
import type { BucketAddress } from '../addressing.ts';
import type { GatewayContext, GatewayDeps, RequestLog } from '../context.ts';
import { requireAccess } from '../access/access-check.ts';
import { sendContinue } from '../expect-continue.ts';
import { refuseUnsupportedWriteHeaders } from '../objects/unsupported-write-headers.ts';
import { cannedAclFromHeaders } from '../ops/canned-acl.ts';
import { MAX_KEY_BYTES } from '../s3-request.ts';
import { checkServerSideEncryptionRequest, sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { contentHeadersFrom } from '../write/content-headers.ts';
import { userMetadataFrom } from '../write/object-metadata.ts';
import { PayloadDigests, SUPPORTED_CHECKSUMS } from '../write/payload-digests.ts';
import { MAX_PUT_BYTES, openFormBody } from '../write/request-body.ts';
import { storeObject, tap } from '../write/store-object.ts';
import { formSigner } from './form-signature.ts';
import { postObjectResponse } from './post-response.ts';

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const CHECKSUM_FIELDS = SUPPORTED_CHECKSUMS.map((algorithm) => `x-amz-checksum-${algorithm}`);

/** A POST Object request: authenticated by its form, not by headers, so it carries no caller yet. */
export interface PostObjectRequest {
  readonly deps: GatewayDeps;
  readonly c: GatewayContext;
  readonly address: BucketAddress;
  readonly log: RequestLog;
}

/**
 * POST Object, S3's browser upload: a `multipart/form-data` body whose fields (key, policy and its
 * SigV4 signature, Content-Type, x-amz-meta-*, success_action_*) come before the `file` field.
 * The fields are read (bounded), the signature and the policy checked, and only then does the
 * file stream, without buffering, through the same write path as PutObject; the policy's
 * content-length-range is enforced while it streams (past the maximum the write is abandoned at
 * once and its shards are collected: no object appears).
 */
export async function postObject(request: PostObjectRequest): Promise<Response> {
  const { deps, c, log } = request;
  const bucket = await deps.store.getBucket(request.address.bucket);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${request.address.bucket}`, extra: { BucketName: request.address.bucket } });
  const boundary = formBoundary(c.req.header('content-type'));
  const incoming = c.env.incoming;
  const source = openFormBody(incoming, log, deps.config.bodyProgressTimeoutMs);
  sendContinue(incoming); // the credentials are in the body: it must be read to know the caller
  const form = await readPostForm(source, boundary);
  const keyTemplate = form.fields.get('key');
  if (!keyTemplate) {
    throw new S3Error('InvalidArgument', {
      message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      extra: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  const signer = await formSigner(deps, form.fields);
  log.accessKeyId = signer.accessKeyId;
  log.accountId = signer.accountId;
  const key = keyTemplate.replaceAll('${filename}', form.file.filename);
  log.key = key;
  requireAccess({ deps, c, auth: { kind: 'signed', accountId: signer.accountId } }, bucket, { action: 's3:PutObject', key });
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError');
  for (const [name, value] of [...form.fields, ['key', key] as const]) {
    if (hasNulCharacter(value)) throw new S3Error('InvalidArgument', { message: `The form field ${name} may not contain the character U+0000.`, extra: { ArgumentName: name } });
  }
  const fields = new Map(form.fields).set('key', key);
  const policy = parsePostPolicy(fields.get('policy')!);
  const allowed = checkPostPolicy(policy, { fields, bucket: bucket.name, now: deps.now() });
  const range: LengthRange = { min: allowed.min, max: Math.min(allowed.max, MAX_PUT_BYTES) };
  const field = (name: string) => fields.get(name);
  const acl = formAcl(field('acl'));
  checkWriteFields(field);

  const release = deps.uploads.acquire(signer.accountId);
  try {
    const digests = new PayloadDigests({});
    let length = 0;
    const body = tap(form.file.body, (bytes) => {
      length += bytes.length;
      checkFileLength(range, length, false);
      digests.update(bytes);
    });
    const stored = await storeObject(deps, incoming, {
      bucket, key, contentType: field('content-type') || DEFAULT_CONTENT_TYPE,
      userMetadata: userMetadataFrom(headersOf(fields)), contentHeaders: contentHeadersFrom(field),
      encryption: { mode: 'sse-s3' }, keys: deps.masterKeys, tags: [], acl,
    }, body, () => {
      checkFileLength(range, length, true);
      const { etag, checksums } = digests.finish();
      return { etag, checksums };
    });
    const base = new URL(c.req.url).origin;
    const location = request.address.style === 'virtual-hosted' ? `${base}/${s3UrlEncode(key)}` : `${base}/${bucket.name}/${s3UrlEncode(key)}`;
    return postObjectResponse(fields, { bucket: bucket.name, key, etag: stored.etag, location }, sseS3ResponseHeaders({ mode: 'sse-s3' }));
  } finally {
    release();
  }
}

/**
 * Form fields as Node would hold them were they headers (UTF-8 bytes as latin1 text), so that
 * `x-amz-meta-*` values go through the one header-to-metadata rule (object-metadata.ts) unchanged.
 */
function headersOf(fields: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries([...fields].map(([name, value]) => [name, Buffer.from(value, 'utf8').toString('latin1')]));
}

/**
 * The form's `acl`, the object's canned ACL (`private` when absent): `private` or `public-read`;
 * other canned ACLs are NotImplemented, unknown ones InvalidArgument (canned-acl.ts, as `x-amz-acl`).
 */
function formAcl(acl: string | undefined): ObjectAcl {
  return cannedAclFromHeaders((name) => (name === 'x-amz-acl' ? acl : undefined)) ?? 'private';
}

/**
 * Form fields that ask for what PutObject's headers would: SSE-S3 (`AES256`) is every object's
 * encryption anyway and SSE-KMS is NotImplemented (sse-s3-headers.ts); SSE-C keys are not taken
 * from a form, checksums, tagging, object lock, redirects and other storage classes are NotImplemented.
 */
function checkWriteFields(field: (name: string) => string | undefined): void {
  checkServerSideEncryptionRequest(field);
  if (field('x-amz-server-side-encryption-customer-algorithm') !== undefined || field('x-amz-server-side-encryption-customer-key') !== undefined) {
    throw new S3Error('NotImplemented', { message: 'SSE-C keys in a POST form are not supported by this gateway; use PutObject with SSE-C headers.' });
  }
  if (field('tagging') !== undefined) throw new S3Error('NotImplemented', { message: 'A tagging field in a POST form is not supported by this gateway; tag the object with PutObjectTagging.', extra: { Header: 'tagging' } });
  if (field('x-amz-checksum-algorithm') !== undefined || CHECKSUM_FIELDS.some((name) => field(name) !== undefined)) {
    throw new S3Error('NotImplemented', { message: 'Checksums in a POST form are not supported by this gateway; the ETag is the MD5 of the file.' });
  }
  refuseUnsupportedWriteHeaders(field);
}
