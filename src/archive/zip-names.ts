/**
 * Member names: decoding (UTF-8 when flagged or valid, else CP437 as the format says), and the
 * rules a servable name must follow (relative, no `..`, no backslash, no empty segments).
 */
import { ArchiveError } from './errors.ts';
import { FLAG_UTF8 } from './zip-format.ts';

/** The upper half of code page 437, the ZIP format's default name encoding. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀'
  + 'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Names flagged UTF-8 (bit 11) are UTF-8. Unflagged names are CP437 by the letter of the format,
 * but Info-ZIP on Unix and many other tools write UTF-8 without the flag; a name that is valid
 * UTF-8 is read as UTF-8 (ASCII reads the same either way), anything else as CP437.
 */
export function decodeMemberName(bytes: Uint8Array, flags: number): string {
  if ((flags & FLAG_UTF8) !== 0) return Buffer.from(bytes).toString('utf8');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    let name = '';
    for (const byte of bytes) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
    return name;
  }
}

/** True for a name that encodes only as ASCII, which needs no UTF-8 flag. */
export function isAsciiName(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}

/**
 * Why `name` may not be a member of a servable archive, or null when it may. Directory entries
 * (`720p/`) are allowed; they are never served.
 */
export function unsafeNameReason(name: string): string | null {
  if (name === '') return 'an empty name';
  if (name.startsWith('/')) return 'an absolute path';
  if (name.includes('\\')) return 'a backslash';
  if (name.includes('\0')) return 'a NUL character';
  const segments = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  if (segments.some((segment) => segment === '..')) return 'a ".." segment escaping the archive root';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'an empty or "." segment';
  return null;
}

/** Throws ZIP_UNSAFE_NAME or ZIP_DUPLICATE_NAME for the first bad name in `names`. */
export function checkMemberNames(names: Iterable<string>): void {
  const seen = new Set<string>();
  for (const name of names) {
    const reason = unsafeNameReason(name);
    if (reason !== null) throw new ArchiveError('ZIP_UNSAFE_NAME', `member "${name}" has ${reason}`, name);
    if (seen.has(name)) throw new ArchiveError('ZIP_DUPLICATE_NAME', `member "${name}" appears twice`, name);
    seen.add(name);
  }
}
