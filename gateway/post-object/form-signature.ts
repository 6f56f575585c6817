import { S3Error } from '../../src/s3/errors.ts';
import { SIGV4_ALGORITHM } from '../../src/s3/sigv4-canonical.ts';
import type { GatewayDeps } from '../context.ts';

/** The account a POST Object form is signed by. */
export interface FormSigner {
  readonly accountId: string;
  readonly accessKeyId: string;
}

/** The SigV4 fields of a POST form, in the order S3 names a missing one. */
const SIGV4_FIELDS = [
  ['policy', 'Policy'],
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
  ['x-amz-signature', 'X-Amz-Signature'],
] as const;

/**
 * Who signed a POST Object form (SigV4: `policy` signed with the key of `x-amz-credential`).
 * A form with none of the signature fields is anonymous, and anonymous writes exist nowhere in
 * shardgate: AccessDenied. Some fields without the others: InvalidArgument naming the first
 * missing one, as S3 answers; a SigV2 form (AWSAccessKeyId, signature) or another algorithm:
 * InvalidRequest. The web console's key is read-only, so it signs no upload.
 */
export async function formSigner(deps: GatewayDeps, fields: ReadonlyMap<string, string>): Promise<FormSigner> {
  const present = SIGV4_FIELDS.filter(([name]) => fields.has(name));
  if (present.length === 0) {
    if (fields.has('awsaccesskeyid') || fields.has('signature')) throw sigV2Refusal();
    throw new S3Error('AccessDenied', { message: 'Access Denied (an unsigned POST needs a bucket that allows anonymous writes; shardgate has none)' });
  }
  const missing = SIGV4_FIELDS.find(([name]) => !fields.has(name));
  if (missing) {
    throw new S3Error('InvalidArgument', {
      message: `Bucket POST must contain a field named '${missing[1]}'.  If it is specified, please check the order of the fields.`,
      extra: { ArgumentName: missing[1], ArgumentValue: '' },
    });
  }
  if (fields.get('x-amz-algorithm') !== SIGV4_ALGORITHM) throw sigV2Refusal();
  const { accessKeyId } = await deps.verifier.verifyPostSignature({
    credential: fields.get('x-amz-credential')!,
    amzDate: fields.get('x-amz-date')!,
    policy: fields.get('policy')!,
    signature: fields.get('x-amz-signature')!,
  });
  if (deps.consoleKey && accessKeyId === deps.consoleKey.accessKeyId) throw new S3Error('AccessDenied');
  const key = await deps.store.getAccessKey(accessKeyId);
  if (!key || key.revokedAt !== null) throw new S3Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: accessKeyId } });
  return { accountId: key.accountId, accessKeyId };
}

function sigV2Refusal(): S3Error {
  return new S3Error('InvalidRequest', { message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' });
}
