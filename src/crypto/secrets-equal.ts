import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two secrets of any lengths (bearer tokens, CSRF tokens): both are
 * hashed first, so neither the time taken nor the answer says anything about the given string's
 * length or format.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header ('' when there is none). */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7) : '';
}
