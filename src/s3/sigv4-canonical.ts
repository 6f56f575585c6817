/**
 * The pure parts of AWS Signature Version 4 as S3 uses it: URI encoding, the canonical request,
 * the string to sign, signing-key derivation and the HMAC. No I/O, no state; `sigv4.ts` (the
 * verifier) and `aws-chunked.ts` (chunk signatures) build on these, and tests use them to sign.
 *
 * Reference: AWS S3 API "Authenticating Requests (AWS Signature Version 4)":
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
 *                      SignedHeaders \n HashedPayload
 *   StringToSign     = "AWS4-HMAC-SHA256" \n amzDate \n scope \n hex(sha256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request")
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';
/** Hex SHA-256 of the empty string: the payload hash of a bodiless request and of a 0-byte chunk. */
export const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning for one (secret, yyyymmdd, region, service); callers cache it (see `SigningKeyCache`). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const dateKey = hmacSha256(`AWS4${secret}`, date);
  const regionKey = hmacSha256(dateKey, region);
  const serviceKey = hmacSha256(regionKey, service);
  return hmacSha256(serviceKey, SCOPE_TERMINATOR);
}

/** `yyyymmdd/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${SCOPE_TERMINATOR}`;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

// ---------------------------------------------------------------------------------------------
// URI encoding (AWS's UriEncode: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX, upper case)

const UNRESERVED = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
  UNRESERVED[char.charCodeAt(0)] = 1;
}
const HEX_DIGITS = '0123456789ABCDEF';
const ONLY_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function uriEncodeBytes(bytes: Uint8Array): string {
  let encoded = '';
  for (const byte of bytes) {
    encoded += UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : `%${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 15]}`;
  }
  return encoded;
}

/** UriEncode of the UTF-8 bytes of `text` ('/' is encoded too: callers split paths first). */
export function uriEncode(text: string): string {
  return ONLY_UNRESERVED.test(text) ? text : uriEncodeBytes(Buffer.from(text, 'utf8'));
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Percent-decodes to raw bytes (not to a string: the re-encoding must be byte-exact). A '%' not
 * followed by two hex digits stays a literal '%'. `plusAsSpace` for query components
 * (application/x-www-form-urlencoded, as S3 and MinIO read them), never for paths.
 */
export function percentDecode(raw: string, plusAsSpace: boolean): Buffer {
  const input = Buffer.from(raw, 'utf8');
  if (!input.includes(0x25) && !(plusAsSpace && input.includes(0x2b))) return input;
  const output = Buffer.allocUnsafe(input.length);
  let outputLength = 0;
  for (let index = 0; index < input.length; index++) {
    const byte = input[index]!;
    if (byte === 0x25 && index + 2 < input.length) {
      const high = hexValue(input[index + 1]!);
      const low = hexValue(input[index + 2]!);
      if (high >= 0 && low >= 0) {
        output[outputLength++] = high * 16 + low;
        index += 2;
        continue;
      }
    }
    output[outputLength++] = byte === 0x2b && plusAsSpace ? 0x20 : byte;
  }
  return output.subarray(0, outputLength);
}

/**
 * Canonical URI of a path exactly as sent (percent-encoded, without the query). S3 does not
 * normalise paths: no dot-segment removal, no merging of '//', no double encoding. Each segment
 * between literal '/' is decoded and re-encoded once, so a correctly encoding client gets back
 * its own string, and clients that leave characters such as '$' or '!' raw (AWS's own PUT
 * example sends `test$file.text`) or escape unreserved ones ('%7E') still verify. An encoded
 * slash '%2F' stays '%2F'. The signature therefore binds the decoded key the gateway will use.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((segment) => (ONLY_UNRESERVED.test(segment) ? segment : uriEncodeBytes(percentDecode(segment, false))))
    .join('/');
}

/** One query parameter: decoded text for reading, canonical encoding for signing. */
export interface QueryParameter {
  readonly name: string;
  readonly value: string;
  readonly encodedName: string;
  readonly encodedValue: string;
}

/**
 * Parses a raw query string (with or without the leading '?') or a URLSearchParams. Names and
 * values are decoded ('+' is a space) and re-encoded with UriEncode; a name without '=' has the
 * value "" (`?lifecycle` signs as `lifecycle=`).
 */
export function parseQuery(query: string | URLSearchParams): QueryParameter[] {
  const parameters: QueryParameter[] = [];
  if (typeof query !== 'string') {
    for (const [name, value] of query) {
      parameters.push({ name, value, encodedName: uriEncode(name), encodedValue: uriEncode(value) });
    }
    return parameters;
  }
  const raw = query.startsWith('?') ? query.slice(1) : query;
  if (raw === '') return parameters;
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const equalsAt = piece.indexOf('=');
    const nameBytes = percentDecode(equalsAt < 0 ? piece : piece.slice(0, equalsAt), true);
    const valueBytes = percentDecode(equalsAt < 0 ? '' : piece.slice(equalsAt + 1), true);
    parameters.push({
      name: nameBytes.toString('utf8'),
      value: valueBytes.toString('utf8'),
      encodedName: uriEncodeBytes(nameBytes),
      encodedValue: uriEncodeBytes(valueBytes),
    });
  }
  return parameters;
}

/** Sorted by encoded name, then encoded value (byte order: the encoded forms are ASCII). */
export function canonicalQueryString(parameters: readonly QueryParameter[]): string {
  return parameters
    .map((parameter) => [parameter.encodedName, parameter.encodedValue] as const)
    .sort(([nameA, valueA], [nameB, valueB]) =>
      nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Header value as signed: trimmed, runs of whitespace collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export interface CanonicalRequestInput {
  readonly method: string;
  readonly canonicalUri: string;
  readonly canonicalQuery: string;
  /** Lower-case names, in the order of the SignedHeaders list. */
  readonly signedHeaders: readonly string[];
  /** Value of one signed header as received (undefined when absent: it signs as ""). */
  readonly headerValue: (lowerCaseName: string) => string | undefined;
  readonly payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  let headerBlock = '';
  for (const name of input.signedHeaders) {
    headerBlock += `${name}:${canonicalHeaderValue(input.headerValue(name) ?? '')}\n`;
  }
  return [
    input.method,
    input.canonicalUri,
    input.canonicalQuery,
    headerBlock,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}
