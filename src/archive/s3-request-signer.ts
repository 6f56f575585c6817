/**
 * Signs one S3 request with SigV4 in the Authorization header, using the pure functions of
 * `src/s3/sigv4-canonical.ts` (the same ones the gateway verifies with). Every header passed in
 * is signed, plus host, x-amz-date and x-amz-content-sha256.
 */
import {
  SIGV4_ALGORITHM, canonicalQueryString, canonicalRequest, canonicalUri, credentialScope, deriveSigningKey, hmacSha256,
  parseQuery, stringToSign,
} from '../s3/sigv4-canonical.ts';

export interface S3Endpoint {
  /** e.g. `http://127.0.0.1:9000` */
  readonly url: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Path percent-encoded as it will be sent, query included. */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
  readonly endpoint: S3Endpoint;
  readonly now: Date;
}

/** The request's headers with host, x-amz-date, x-amz-content-sha256 and authorization added. */
export function signRequest(request: RequestToSign): Record<string, string> {
  const amzDate = request.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.url.host;
  headers['x-amz-content-sha256'] = request.payloadHash;
  headers['x-amz-date'] = amzDate;
  const { region, accessKeyId, secretAccessKey } = request.endpoint;
  const scope = credentialScope(day, region, 's3');
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: request.method,
    canonicalUri: canonicalUri(request.url.pathname),
    canonicalQuery: canonicalQueryString(parseQuery(request.url.search)),
    signedHeaders,
    headerValue: (name) => headers[name],
    payloadHash: request.payloadHash,
  });
  const signature = hmacSha256(deriveSigningKey(secretAccessKey, day, region, 's3'), stringToSign(amzDate, scope, canonical)).toString('hex');
  headers.authorization = `${SIGV4_ALGORITHM} Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return headers;
}
