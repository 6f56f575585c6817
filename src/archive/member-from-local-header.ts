/**
 * A member's bytes in one read that starts at its local header, for a member whose data offset is
 * not known yet: the central directory gives the local header's offset and the data's length, but
 * where the data starts depends on the local header's own name and extra-field lengths (which may
 * differ from the central directory's). Reading the header first and the data second costs two
 * round trips; reading from the header on costs one, plus the header's few bytes.
 */
import type { Span } from '../span.ts';
import { corrupt } from './errors.ts';
import { memberDataSpan, type ZipEntry } from './zip-central-directory.ts';
import { LOCAL_HEADER_LENGTH } from './zip-format.ts';

/** Local extra fields read past the name before the data's first byte (Info-ZIP's are 28 bytes, ZIP64's 20). */
export const LOCAL_EXTRA_ALLOWANCE = 1024;

/**
 * What to read, from the local header on, to get `part` (member-relative) of the member in one
 * read when the local header's extra field is at most LOCAL_EXTRA_ALLOWANCE bytes; `dataEnd` (the
 * central directory's offset) bounds it.
 */
export function localHeaderReadSpan(entry: ZipEntry, dataEnd: number, part: Span): Span {
  const headerAllowance = LOCAL_HEADER_LENGTH + Buffer.byteLength(entry.name) + LOCAL_EXTRA_ALLOWANCE;
  const length = Math.min(dataEnd - entry.localHeaderOffset, headerAllowance + part.offset + part.length);
  return { offset: entry.localHeaderOffset, length: Math.max(0, length) };
}

/**
 * Yields `part` (member-relative) of the member from `pieces`, the archive's bytes from the
 * member's local header on. Parses the header first (ZIP_CORRUPT when it is not one, disagrees
 * with the central directory, or puts the data past `dataEnd`) and tells `located` the data's span.
 * Returns how many bytes of `part` it yielded: fewer than `part.length` when `pieces` ended first
 * (an extra field longer than the read allowed for), and the caller reads the rest.
 */
export async function* memberPartFromLocalHeader(
  pieces: AsyncIterable<Uint8Array>,
  entry: ZipEntry,
  dataEnd: number,
  part: Span,
  located: (dataSpan: Span) => void,
): AsyncGenerator<Uint8Array, number> {
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let dataSpan: Span | null = null;
  /** Archive offset of the next piece's first byte. */
  let position = entry.localHeaderOffset;
  let sent = 0;
  if (part.length === 0) return 0;
  for await (const piece of pieces) {
    let bytes = piece;
    let at = position;
    position += piece.length;
    if (dataSpan === null) {
      head.push(piece);
      headBytes += piece.length;
      if (headBytes < LOCAL_HEADER_LENGTH) continue;
      bytes = head.length === 1 ? piece : Buffer.concat(head, headBytes);
      at = entry.localHeaderOffset;
      head = [];
      dataSpan = memberDataSpan(bytes, entry, dataEnd);
      located(dataSpan);
    }
    const from = Math.max(dataSpan.offset + part.offset + sent, at);
    const to = Math.min(dataSpan.offset + part.offset + part.length, at + bytes.length);
    if (to > from) {
      yield bytes.subarray(from - at, to - at);
      sent += to - from;
      if (sent === part.length) return sent;
    }
  }
  if (dataSpan === null) throw corrupt(`the local header of "${entry.name}" is cut short`);
  return sent;
}
