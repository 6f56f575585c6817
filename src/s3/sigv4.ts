/**
 * Verifies AWS Signature Version 4 on incoming S3 requests: the `Authorization` header form and
 * presigned URLs (query-string auth). `sigv4-claim.ts` parses either form into one claim; this
 * file checks the claim (scope, signed headers, secret, canonical request, constant-time compare).
 *
 * Decisions (where AWS leaves room or our error table differs):
 * - Header auth without `x-amz-content-sha256` → InvalidRequest "Missing required header for this
 *   request: x-amz-content-sha256" (what S3 answers; S3 requires the header, generic SigV4 does
 *   not). Presigned URLs take it from the query (the JS SDK hoists it), else from the header,
 *   else UNSIGNED-PAYLOAD.
 * - `x-amz-*` request headers that are not signed → AccessDenied with `HeadersNotSigned`, as S3
 *   does: the gateway acts on them (`x-amz-copy-source`, `x-amz-meta-*`), so they must be signed.
 *   `x-amz-content-sha256` and `x-amz-date` are exempt: their values are in the string to sign.
 *   `host` must always be signed.
 * - Region: `options.region` set → another region in the scope is AuthorizationHeaderMalformed
 *   (with `<Region>`); null → any region is accepted (the signature still covers it).
 * - Clock: header auth |now − date| > maxSkew → RequestTimeTooSkewed. Presigned: date more than
 *   maxSkew ahead → AccessDenied "Request is not valid yet"; past date + X-Amz-Expires →
 *   AccessDenied "Request has expired"; X-Amz-Expires > 604800 is refused.
 * - Order of checks: syntax and time, then the secret lookup (InvalidAccessKeyId), then the
 *   signature; nothing secret-dependent happens before the key is known to exist.
 */
import { hasNonAscii, headerValueAsUtf8 } from './header-text.ts';
import { timingSafeEqual } from 'node:crypto';
import { S3Error } from './errors.ts';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  deriveSigningKey,
  hmacSha256,
  parseQuery,
  SCOPE_TERMINATOR,
  stringToSign,
} from './sigv4-canonical.ts';
import {
  headerLookup,
  headerNames,
  malformed,
  parseAmzDate,
  parseHeaderClaim,
  parsePresignedClaim,
  QUERY_AUTH_ERROR,
  type RequestHeaders,
  type SignatureClaim,
} from './sigv4-claim.ts';

export type { RequestHeaders } from './sigv4-claim.ts';
export { MAX_PRESIGNED_EXPIRES_SECONDS, parseAmzDate, toAmzDate } from './sigv4-claim.ts';

export type PayloadMode =
  | 'signed'
  | 'unsigned'
  | 'streaming-signed'
  | 'streaming-unsigned-trailer'
  | 'streaming-signed-trailer';
export type StreamingPayloadMode = Extract<PayloadMode, `streaming-${string}`>;
export type AuthKind = 'header' | 'presigned' | 'anonymous';

export interface SigV4Request {
  readonly method: string;
  /** Path exactly as sent, still percent-encoded, without '?query'. */
  readonly rawPath: string;
  /** Raw query string (preferred: kept byte-exact) or URLSearchParams. */
  readonly query: string | URLSearchParams;
  readonly headers: RequestHeaders;
  readonly now: Date;
}

/** What aws-chunked.ts needs to verify chunk signatures; every `SigV4Auth` is one. */
export interface ChunkSigningContext {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
  readonly seedSignature: string;
}

export interface SigV4Auth extends ChunkSigningContext {
  readonly kind: 'header' | 'presigned';
  readonly accessKeyId: string;
  readonly region: string;
  readonly payloadMode: PayloadMode;
  /** Lower-case hex when payloadMode is 'signed' (the body must hash to it), else null. */
  readonly payloadHash: string | null;
  readonly signedHeaders: readonly string[];
  /** Presigned URLs only. */
  readonly expiresAt: Date | null;
}

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const SERVICE = 's3';
const HEADER_NAME_PATTERN = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const NAMED_PAYLOADS: Readonly<Record<string, PayloadMode>> = {
  'UNSIGNED-PAYLOAD': 'unsigned',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'streaming-unsigned-trailer',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'streaming-signed',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'streaming-signed-trailer',
};

/** Bounded LRU of derived signing keys per (secret, date, region, service). */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly capacity = 256) {}

  get(secret: string, date: string, region: string, service: string): Buffer {
    const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
    const cached = this.keys.get(cacheKey);
    if (cached !== undefined) {
      this.keys.delete(cacheKey);
      this.keys.set(cacheKey, cached);
      return cached;
    }
    const signingKey = deriveSigningKey(secret, date, region, service);
    this.keys.set(cacheKey, signingKey);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
    return signingKey;
  }

  get size(): number {
    return this.keys.size;
  }
}

export interface SigV4VerifierOptions {
  /** The secret of an access key, or null when the key does not exist (→ InvalidAccessKeyId). */
  lookupSecret(accessKeyId: string): Promise<string | null>;
  /** The region clients must sign for; null or absent accepts any region. */
  region?: string | null;
  /** Default 15 minutes. */
  maxSkewMs?: number;
  /** Share one between verifiers if you like; default: a private cache of 256 keys. */
  signingKeyCache?: SigningKeyCache;
}

/** Which auth form a request uses; what to do with anonymous requests is the gateway's call. */
export function detectAuthKind(query: string | URLSearchParams, headers: RequestHeaders): AuthKind {
  if (headerLookup(headers)('authorization') !== undefined) return 'header';
  return parseQuery(query).some((parameter) => parameter.name === 'X-Amz-Algorithm') ? 'presigned' : 'anonymous';
}

export class SigV4Verifier {
  private readonly lookupSecret: (accessKeyId: string) => Promise<string | null>;
  private readonly region: string | null;
  private readonly maxSkewMs: number;
  private readonly signingKeys: SigningKeyCache;

  constructor(options: SigV4VerifierOptions) {
    this.lookupSecret = options.lookupSecret;
    this.region = options.region ?? null;
    this.maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.signingKeys = options.signingKeyCache ?? new SigningKeyCache();
  }

  /** Resolves with the authenticated request or rejects with an S3Error. */
  async verify(request: SigV4Request): Promise<SigV4Auth> {
    const header = headerLookup(request.headers);
    const parameters = parseQuery(request.query);
    const authorization = header('authorization');
    const hasPresigned = parameters.some((parameter) => parameter.name === 'X-Amz-Algorithm');
    if (authorization !== undefined && hasPresigned) {
      throw new S3Error('InvalidArgument', {
        message:
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        extra: { ArgumentName: 'Authorization', ArgumentValue: authorization },
      });
    }
    let claim: SignatureClaim;
    if (authorization !== undefined) {
      claim = parseHeaderClaim(authorization, header, parameters, request.now, this.maxSkewMs);
    } else if (hasPresigned) {
      claim = parsePresignedClaim(parameters, header, request.now, this.maxSkewMs);
    } else {
      throw new S3Error('AccessDenied');
    }

    const { accessKeyId, date, region } = this.checkCredential(claim);
    const signedHeaders = claim.signedHeaders.split(';');
    if (!signedHeaders.every((name) => HEADER_NAME_PATTERN.test(name))) {
      throw malformed(claim.kind, 'SignedHeaders must be a ";"-separated list of lower-case header names.');
    }
    const notSigned = unsignedHeaders(headerNames(request.headers), signedHeaders);
    if (notSigned.length > 0) {
      throw new S3Error('AccessDenied', {
        message: 'There were headers present in the request which were not signed',
        extra: { HeadersNotSigned: notSigned.join(', ') },
      });
    }
    const payload = parsePayloadHash(claim.payloadHashValue);

    const secret = await this.lookupSecret(accessKeyId);
    if (secret === null) throw new S3Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: accessKeyId } });
    const signingKey = this.signingKeys.get(secret, date, region, SERVICE);
    const scope = credentialScope(date, region, SERVICE);
    const canonicalWith = (headerValue: (name: string) => string | undefined) => canonicalRequest({
      method: request.method,
      canonicalUri: canonicalUri(request.rawPath),
      canonicalQuery: canonicalQueryString(claim.signedParameters),
      signedHeaders,
      headerValue,
      payloadHash: claim.payloadHashValue,
    });
    const matches = (canonical: string) => signatureMatches(hmacSha256(signingKey, stringToSign(claim.amzDate, scope, canonical)), claim.signature);
    const canonical = canonicalWith(header);
    // Header bytes reach us as latin1 text; a client that sent (and signed) UTF-8 signed their
    // UTF-8 reading. Both readings are of the same bytes, so accepting either forges nothing.
    const nonAscii = signedHeaders.some((name) => hasNonAscii(header(name) ?? ''));
    if (!matches(canonical) && !(nonAscii && matches(canonicalWith((name) => {
      const value = header(name);
      return value === undefined ? undefined : headerValueAsUtf8(value);
    })))) {
      const toSign = stringToSign(claim.amzDate, scope, canonical);
      throw new S3Error('SignatureDoesNotMatch', {
        extra: {
          AWSAccessKeyId: accessKeyId,
          StringToSign: toSign,
          SignatureProvided: claim.signature,
          CanonicalRequest: canonical,
        },
      });
    }
    return {
      kind: claim.kind,
      accessKeyId,
      region,
      payloadMode: payload.mode,
      payloadHash: payload.hash,
      signingKey,
      seedSignature: claim.signature,
      scope,
      amzDate: claim.amzDate,
      signedHeaders,
      expiresAt: claim.expiresAt,
    };
  }

  /**
   * A POST Object form's SigV4 signature: the hex HMAC of the base64 `policy` field with the
   * signing key of `x-amz-credential` (derived and cached as for every other request). The
   * credential is checked as a presigned URL's is (scope, region, its day = `x-amz-date`'s);
   * InvalidAccessKeyId for an unknown key, SignatureDoesNotMatch for a wrong signature. The
   * policy's own expiration, not `x-amz-date`, bounds its life (see post-policy.ts).
   */
  async verifyPostSignature(form: { credential: string; amzDate: string; policy: string; signature: string }): Promise<{ accessKeyId: string; region: string }> {
    if (parseAmzDate(form.amzDate) === null) {
      throw new S3Error('InvalidArgument', { message: 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"', extra: { ArgumentName: 'x-amz-date', ArgumentValue: form.amzDate } });
    }
    const { accessKeyId, date, region } = this.checkCredential({ kind: 'presigned', credential: form.credential, amzDate: form.amzDate });
    const secret = await this.lookupSecret(accessKeyId);
    if (secret === null) throw new S3Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: accessKeyId } });
    const signingKey = this.signingKeys.get(secret, date, region, SERVICE);
    if (!signatureMatches(hmacSha256(signingKey, form.policy), form.signature)) {
      throw new S3Error('SignatureDoesNotMatch', { extra: { AWSAccessKeyId: accessKeyId, StringToSign: form.policy, SignatureProvided: form.signature } });
    }
    return { accessKeyId, region };
  }

  /** `AKID/yyyymmdd/region/s3/aws4_request`, dated the request's day, for our region. */
  private checkCredential(claim: Pick<SignatureClaim, 'kind' | 'credential' | 'amzDate'>): { accessKeyId: string; date: string; region: string } {
    const [accessKeyId, date, region, service, terminator, ...rest] = claim.credential.split('/');
    const wellFormed = accessKeyId && date && region && service && terminator !== undefined && rest.length === 0;
    if (!wellFormed || !/^\d{8}$/.test(date)) {
      throw malformed(
        claim.kind,
        `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/${SCOPE_TERMINATOR}".`,
      );
    }
    if (terminator !== SCOPE_TERMINATOR) {
      throw malformed(claim.kind, `incorrect terminal "${terminator}". This endpoint uses "${SCOPE_TERMINATOR}".`);
    }
    if (service !== SERVICE) {
      throw malformed(claim.kind, `incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
    }
    if (this.region !== null && region !== this.region) {
      throw new S3Error(claim.kind === 'header' ? 'AuthorizationHeaderMalformed' : QUERY_AUTH_ERROR, {
        message: `The authorization header is malformed; the region '${region}' is wrong; expecting '${this.region}'`,
        extra: { Region: this.region },
      });
    }
    const requestDay = claim.amzDate.slice(0, 8);
    if (date !== requestDay) {
      throw malformed(
        claim.kind,
        `Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${requestDay}".`,
      );
    }
    return { accessKeyId, date, region };
  }
}

/** x-amz-* headers present but not in SignedHeaders, plus "host" when it is not signed. */
function unsignedHeaders(presentNames: readonly string[], signedHeaders: readonly string[]): string[] {
  const signed = new Set(signedHeaders);
  const missing = new Set<string>(signed.has('host') ? [] : ['host']);
  for (const name of presentNames) {
    if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256' && name !== 'x-amz-date' && !signed.has(name)) {
      missing.add(name);
    }
  }
  return [...missing].sort();
}

function parsePayloadHash(value: string): { mode: PayloadMode; hash: string | null } {
  const mode = NAMED_PAYLOADS[value];
  if (mode !== undefined) return { mode, hash: null };
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { mode: 'signed', hash: value.toLowerCase() };
  throw new S3Error('InvalidArgument', {
    message: `x-amz-content-sha256 must be ${Object.keys(NAMED_PAYLOADS).join(', ')}, or a valid sha256 value.`,
    extra: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  });
}

/** Constant-time comparison of the expected HMAC with the provided hex signature. */
export function signatureMatches(expected: Buffer, providedHex: string): boolean {
  if (!SIGNATURE_PATTERN.test(providedHex)) return false;
  return timingSafeEqual(expected, Buffer.from(providedHex, 'hex'));
}
