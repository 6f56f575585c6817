/**
 * Makes a SigV4 presigned URL (query-string auth, `UNSIGNED-PAYLOAD`, only `host` signed), the
 * form the AWS SDKs' presigners produce and `SigV4Verifier` checks. The gateway needs it for its
 * own links (the web console's downloads); the SDK's presigner is a dev dependency only.
 */
import { toAmzDate } from './sigv4-claim.ts';
import {
  SIGV4_ALGORITHM, canonicalQueryString, canonicalRequest, credentialScope, deriveSigningKey, hmacSha256, parseQuery, stringToSign,
  uriEncode,
} from './sigv4-canonical.ts';

export interface PresignInput {
  readonly method: 'GET' | 'HEAD';
  /** The endpoint as the client reaches it, e.g. `http://127.0.0.1:9000` (its host is signed). */
  readonly origin: string;
  /** Path-style: `/<bucket>/<key>`; the key may hold any characters, '/' kept as separators. */
  readonly bucket: string;
  readonly key: string;
  /** Extra query parameters to sign (e.g. `response-content-disposition`). */
  readonly query?: Readonly<Record<string, string>>;
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly region: string;
  readonly now: Date;
  /** 1 … 604800 (the verifier refuses anything else). */
  readonly expiresSeconds: number;
}

export function presignUrl(input: PresignInput): string {
  const origin = new URL(input.origin);
  const amzDate = toAmzDate(input.now);
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, input.region, 's3');
  const path = `/${uriEncode(input.bucket)}/${input.key.split('/').map(uriEncode).join('/')}`;
  const parameters = new URLSearchParams({
    ...input.query,
    'X-Amz-Algorithm': SIGV4_ALGORITHM,
    'X-Amz-Credential': `${input.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(input.expiresSeconds),
    'X-Amz-SignedHeaders': 'host',
  });
  const canonicalQuery = canonicalQueryString(parseQuery(parameters));
  const request = canonicalRequest({
    method: input.method,
    canonicalUri: path,
    canonicalQuery,
    signedHeaders: ['host'],
    headerValue: () => origin.host,
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
  const signature = hmacSha256(deriveSigningKey(input.secretKey, date, input.region, 's3'), stringToSign(amzDate, scope, request)).toString('hex');
  return `${origin.origin}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}
