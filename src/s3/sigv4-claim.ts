/**
 * Parses the two SigV4 auth forms — the `Authorization` header and presigned-URL query
 * parameters — into one `SignatureClaim`, and applies the checks that need no secret: syntax,
 * required parameters, request time (skew, expiry). `sigv4.ts` checks the claim against a secret.
 */
import { S3Error, type S3ErrorCode } from './errors.ts';
import { SIGV4_ALGORITHM, type QueryParameter } from './sigv4-canonical.ts';

/** Web `Headers`, or a record such as Node's `IncomingMessage.headers` (any key case). */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
export type HeaderLookup = (lowerCaseName: string) => string | undefined;

/** Everything either auth form claims, before any of it is checked against a secret. */
export interface SignatureClaim {
  readonly kind: 'header' | 'presigned';
  /** `AKID/yyyymmdd/region/service/aws4_request`, unparsed. */
  readonly credential: string;
  /** The SignedHeaders list, unparsed. */
  readonly signedHeaders: string;
  readonly signature: string;
  /** Request time, `yyyyMMddTHHmmssZ`, as it goes into the string to sign. */
  readonly amzDate: string;
  /** The last line of the canonical request (x-amz-content-sha256 value or UNSIGNED-PAYLOAD). */
  readonly payloadHashValue: string;
  /** Query parameters that go into the canonical query (all but X-Amz-Signature). */
  readonly signedParameters: readonly QueryParameter[];
  readonly expiresAt: Date | null;
}

/**
 * AWS answers malformed presigned parameters with AuthorizationQueryParametersError, which is not
 * in `S3_ERRORS`; until it is, the same 400 under the header form's code, with AWS's message.
 */
export const QUERY_AUTH_ERROR: S3ErrorCode = 'AuthorizationHeaderMalformed';
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function headerLookup(headers: RequestHeaders): HeaderLookup {
  if (isWebHeaders(headers)) return (name) => headers.get(name) ?? undefined;
  const byLowerName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    byLowerName.set(name.toLowerCase(), typeof value === 'string' ? value : value.join(','));
  }
  return (name) => byLowerName.get(name);
}

export function headerNames(headers: RequestHeaders): string[] {
  return isWebHeaders(headers) ? [...headers.keys()] : Object.keys(headers).map((name) => name.toLowerCase());
}

function isWebHeaders(headers: RequestHeaders): headers is Headers {
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).keys === 'function';
}

/** `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export function parseHeaderClaim(
  authorization: string,
  header: HeaderLookup,
  parameters: readonly QueryParameter[],
  now: Date,
  maxSkewMs: number,
): SignatureClaim {
  const spaceAt = authorization.indexOf(' ');
  const algorithm = spaceAt < 0 ? authorization : authorization.slice(0, spaceAt);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error('InvalidRequest', {
      message: `The authorization mechanism you have provided is not supported. Please use ${SIGV4_ALGORITHM}.`,
    });
  }
  const components = new Map<string, string>();
  for (const component of authorization.slice(spaceAt + 1).split(',')) {
    const text = component.trim();
    const equalsAt = text.indexOf('=');
    const name = text.slice(0, equalsAt);
    if (equalsAt <= 0 || components.has(name)) throw malformed('header', `"${text}" is not a valid component.`);
    components.set(name, text.slice(equalsAt + 1));
  }
  const credential = components.get('Credential');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || components.size !== 3) {
    throw malformed('header', 'it must contain exactly Credential, SignedHeaders and Signature.');
  }
  const amzDate = requestAmzDate(header);
  if (Math.abs(now.getTime() - parseAmzDate(amzDate)!.getTime()) > maxSkewMs) {
    throw new S3Error('RequestTimeTooSkewed', {
      extra: { RequestTime: amzDate, ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: String(maxSkewMs) },
    });
  }
  const payloadHashValue = header('x-amz-content-sha256');
  if (payloadHashValue === undefined) {
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: x-amz-content-sha256' });
  }
  return {
    kind: 'header',
    credential,
    signedHeaders,
    signature,
    amzDate,
    payloadHashValue,
    signedParameters: parameters,
    expiresAt: null,
  };
}

/** `?X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=…&X-Amz-SignedHeaders=…&X-Amz-Signature=…`. */
export function parsePresignedClaim(
  parameters: readonly QueryParameter[],
  header: HeaderLookup,
  now: Date,
  maxSkewMs: number,
): SignatureClaim {
  const single = (name: string): string => {
    const matches = parameters.filter((parameter) => parameter.name === name);
    if (matches.length !== 1) {
      throw new S3Error(QUERY_AUTH_ERROR, {
        message:
          'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      });
    }
    return matches[0]!.value;
  };
  if (single('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
    throw new S3Error(QUERY_AUTH_ERROR, { message: `X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"` });
  }
  const credential = single('X-Amz-Credential');
  const signedHeaders = single('X-Amz-SignedHeaders');
  const signature = single('X-Amz-Signature');
  const amzDate = single('X-Amz-Date');
  const expiresText = single('X-Amz-Expires');
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === null) {
    throw new S3Error(QUERY_AUTH_ERROR, {
      message: `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
    });
  }
  if (!/^-?\d{1,16}$/.test(expiresText)) {
    throw new S3Error(QUERY_AUTH_ERROR, { message: 'X-Amz-Expires should be a number' });
  }
  // Out of range is a refusal, not a malformed request: S3 answers 403 (ceph/s3-tests
  // test_object_raw_get_x_amz_expires_out_max_range / _out_range_zero, and a negative expiry).
  if (Number(expiresText) > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw new S3Error('AccessDenied', {
      message: `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`,
    });
  }
  if (Number(expiresText) <= 0) throw new S3Error('AccessDenied', { message: 'Request has expired' });
  const expiresAt = new Date(requestTime.getTime() + Number(expiresText) * 1000);
  if (requestTime.getTime() - now.getTime() > maxSkewMs) {
    throw new S3Error('AccessDenied', { message: 'Request is not valid yet' });
  }
  if (now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', {
      message: 'Request has expired',
      extra: { 'X-Amz-Expires': expiresText, Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(now) },
    });
  }
  // The JS SDK's presigner hoists x-amz-content-sha256 into the query (lower-case name).
  const hoisted = parameters.find((parameter) => parameter.name.toLowerCase() === 'x-amz-content-sha256');
  return {
    kind: 'presigned',
    credential,
    signedHeaders,
    signature,
    amzDate,
    payloadHashValue: hoisted?.value ?? header('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD',
    signedParameters: parameters.filter((parameter) => parameter.name !== 'X-Amz-Signature'),
    expiresAt,
  };
}

/** x-amz-date wins over Date; either must parse, or AccessDenied (AWS's wording). */
function requestAmzDate(header: HeaderLookup): string {
  const amzDate = header('x-amz-date');
  if (amzDate !== undefined) {
    if (parseAmzDate(amzDate) !== null) return amzDate;
  } else {
    const dateHeader = header('date');
    const millis = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
    if (!Number.isNaN(millis)) return toAmzDate(new Date(millis));
  }
  throw new S3Error('AccessDenied', { message: 'AWS authentication requires a valid Date or x-amz-date header' });
}

/** `yyyyMMddTHHmmssZ` → Date, or null when malformed or not a real calendar time. */
export function parseAmzDate(text: string): Date | null {
  const match = AMZ_DATE_PATTERN.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return toAmzDate(time) === text ? time : null;
}

export function toAmzDate(time: Date): string {
  return time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function malformed(kind: SignatureClaim['kind'], detail: string): S3Error {
  return kind === 'header'
    ? new S3Error('AuthorizationHeaderMalformed', { message: `The authorization header is malformed; ${detail}` })
    : new S3Error(QUERY_AUTH_ERROR, { message: `Error parsing the X-Amz-Credential parameter; ${detail}` });
}
