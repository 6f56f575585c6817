/**
 * Text in HTTP header values, which are bytes. Node hands a header value over as a latin1 string
 * (one character per byte), so a client that sends UTF-8 (curl, the Go and Java SDKs) arrives as
 * mojibake and one that sends latin1 (Node's own http client, which the JS SDK uses) arrives
 * intact. S3 signs and stores what the client meant; these functions recover it.
 *
 * User metadata follows S3's documented rule: values may arrive as RFC 2047 encoded-words
 * (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`), which are decoded before storing, and a value with
 * non-ASCII characters is returned as an RFC 2047 encoded-word, since a header can carry only bytes.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[^\x00-\x7f]/;

export function hasNonAscii(value: string): boolean {
  return NON_ASCII.test(value);
}

/**
 * The header value read as UTF-8 bytes when its bytes are valid UTF-8 with some non-ASCII in them;
 * otherwise the value as it came (ASCII, or latin1 that is not UTF-8).
 */
export function headerValueAsUtf8(value: string): string {
  if (!hasNonAscii(value) || /[^\x00-\xff]/.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

const ENCODED_WORD = /^=\?([A-Za-z0-9_-]+)\?([BbQq])\?([^?\s]*)\?=$/;

/** One RFC 2047 encoded-word in UTF-8 or ISO-8859-1 decoded; anything else returned unchanged. */
export function decodeEncodedWord(value: string): string {
  const match = ENCODED_WORD.exec(value.trim());
  if (!match) return value;
  const charset = match[1]!.toLowerCase();
  if (charset !== 'utf-8' && charset !== 'iso-8859-1') return value;
  const bytes = match[2]!.toLowerCase() === 'b'
    ? Buffer.from(match[3]!, 'base64')
    : Buffer.from(match[3]!.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  if (charset === 'iso-8859-1') return bytes.toString('latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    return value;
  }
}

/** A metadata value as stored: the client's text, from raw UTF-8 bytes or an RFC 2047 encoded-word. */
export function metadataValueFromHeader(raw: string): string {
  return hasNonAscii(raw) ? headerValueAsUtf8(raw) : decodeEncodedWord(raw);
}

/** A stored metadata value as a header can carry it: ASCII as is, anything else as `=?UTF-8?B?…?=`. */
export function metadataValueToHeader(value: string): string {
  return hasNonAscii(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}
