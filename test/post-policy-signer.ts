/**
 * What an application's backend does to let a browser upload straight to S3: writes a POST policy
 * and signs it (SigV4, "Browser-Based Uploads Using POST": base64 of the policy JSON, HMAC-SHA256
 * with the key derived from secret, date, region, `s3`, `aws4_request`). Written from the AWS
 * documentation with node:crypto alone, apart from the gateway's code, because
 * `@aws-sdk/s3-presigned-post` is not installed here; it produces the same fields that package does.
 */
import { createHmac } from 'node:crypto';

export interface PostPolicyOptions {
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly region?: string;
  /** The conditions besides bucket and the x-amz-* signing fields, which are always added. */
  readonly conditions?: readonly unknown[];
  /** Fields besides key and the signing fields. */
  readonly fields?: Readonly<Record<string, string>>;
  readonly key: string;
  /** Default: 10 minutes from now. */
  readonly expiration?: Date;
  readonly now?: Date;
}

/** The form fields, in order, that precede `file`: key, the given fields, then policy and its signature. */
export function signedPostFields(options: PostPolicyOptions): [string, string][] {
  const now = options.now ?? new Date();
  const region = options.region ?? 'us-east-1';
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const credential = `${options.accessKeyId}/${day}/${region}/s3/aws4_request`;
  const signing = { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': amzDate };
  const policy = {
    expiration: (options.expiration ?? new Date(now.getTime() + 10 * 60_000)).toISOString(),
    conditions: [{ bucket: options.bucket }, ...(options.conditions ?? []), ...Object.entries(signing).map(([name, value]) => ({ [name]: value }))],
  };
  const encodedPolicy = Buffer.from(JSON.stringify(policy)).toString('base64');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${options.secretKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(encodedPolicy).digest('hex');
  return [
    ['key', options.key],
    ...Object.entries(options.fields ?? {}),
    ...Object.entries(signing),
    ['policy', encodedPolicy],
    ['x-amz-signature', signature],
  ];
}
