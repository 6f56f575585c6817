/**
 * Pure parsing of the records at the end of a ZIP: the end of central directory record (found by
 * searching a suffix of the archive), the ZIP64 locator and end record, the central directory
 * headers with their ZIP64 extra fields, and local headers. Every offset and length is checked
 * against the archive before anything trusts it, so a corrupt archive fails with ZIP_CORRUPT
 * instead of sending a reader past the end.
 */
import { crc32 } from 'node:zlib';
import type { Span } from '../span.ts';
import { corrupt } from './errors.ts';
import {
  CENTRAL_HEADER_LENGTH, CENTRAL_HEADER_SIGNATURE, END_LENGTH, END_SIGNATURE, LOCAL_HEADER_LENGTH,
  LOCAL_HEADER_SIGNATURE, MAX_COMMENT_LENGTH, UINT16_SENTINEL, UINT32_SENTINEL, UNICODE_PATH_EXTRA_ID,
  ZIP64_END_LENGTH, ZIP64_END_SIGNATURE, ZIP64_EXTRA_ID, ZIP64_LOCATOR_LENGTH, ZIP64_LOCATOR_SIGNATURE,
  fromDosDateTime, readUint64, viewOf,
} from './zip-format.ts';
import { decodeMemberName } from './zip-names.ts';

/** One central directory entry, with every ZIP64 value already substituted. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  /** Bytes of member data in the archive (equal to `size` for a stored member). */
  readonly compressedSize: number;
  /** Bytes of the member once extracted. */
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly modifiedAt: Date | null;
}

/** What the end records say: where the central directory is and how many entries it holds. */
export interface ZipEnd {
  readonly entryCount: number;
  readonly centralDirectory: Span;
  readonly zip64: boolean;
  /** Where the first end record (ZIP64 end record, else the classic one) starts. */
  readonly endRecordsOffset: number;
  /** The ZIP64 end record still to be read, when the tail did not contain it. */
  readonly zip64EndToRead: Span | null;
}

/** The suffix of an archive that must hold its end record: the record, a full comment, the ZIP64 locator. */
export function endSearchSpan(archiveSize: number): Span {
  const length = Math.min(archiveSize, END_LENGTH + MAX_COMMENT_LENGTH + ZIP64_LOCATOR_LENGTH);
  return { offset: archiveSize - length, length };
}

interface ClassicEnd {
  readonly offset: number;
  readonly entryCount: number;
  readonly centralDirectorySize: number;
  readonly centralDirectoryOffset: number;
  readonly needsZip64: boolean;
}

/**
 * Finds the end of central directory record in `tail` (the archive bytes from `tailOffset` to
 * the end). Searching backwards, the record is the one whose comment ends exactly at the end of
 * the archive, so a comment that happens to contain the signature cannot fool the search.
 */
function findClassicEnd(tail: Uint8Array, tailOffset: number, archiveSize: number): ClassicEnd {
  const view = viewOf(tail);
  for (let position = tail.length - END_LENGTH; position >= 0; position--) {
    if (view.getUint32(position, true) !== END_SIGNATURE) continue;
    const commentLength = view.getUint16(position + 20, true);
    if (tailOffset + position + END_LENGTH + commentLength !== archiveSize) continue;
    const disk = view.getUint16(position + 4, true);
    const centralDirectoryDisk = view.getUint16(position + 6, true);
    const entriesOnDisk = view.getUint16(position + 8, true);
    const entryCount = view.getUint16(position + 10, true);
    const centralDirectorySize = view.getUint32(position + 12, true);
    const centralDirectoryOffset = view.getUint32(position + 16, true);
    const needsZip64 = entryCount === UINT16_SENTINEL || centralDirectorySize === UINT32_SENTINEL || centralDirectoryOffset === UINT32_SENTINEL;
    if (!needsZip64 && (disk !== 0 || centralDirectoryDisk !== 0 || entriesOnDisk !== entryCount)) {
      throw corrupt('split (multi-disk) archives are not supported');
    }
    return { offset: tailOffset + position, entryCount, centralDirectorySize, centralDirectoryOffset, needsZip64 };
  }
  throw corrupt(`no end of central directory record in the last ${tail.length} bytes (not a ZIP archive)`);
}

/**
 * Reads the end records from the archive's tail (see `endSearchSpan`). When the archive is ZIP64
 * and its ZIP64 end record lies before the tail, `zip64EndToRead` names the 56 bytes to read and
 * pass to `applyZip64End`.
 */
export function parseEnd(tail: Uint8Array, tailOffset: number, archiveSize: number): ZipEnd {
  const classic = findClassicEnd(tail, tailOffset, archiveSize);
  const locatorOffset = classic.offset - ZIP64_LOCATOR_LENGTH;
  const locatorInTail = locatorOffset - tailOffset;
  const hasLocator = locatorInTail >= 0 && viewOf(tail).getUint32(locatorInTail, true) === ZIP64_LOCATOR_SIGNATURE;
  if (!hasLocator) {
    if (classic.needsZip64) throw corrupt('the end record points to ZIP64 values but there is no ZIP64 locator');
    return checkEnd({
      entryCount: classic.entryCount,
      centralDirectory: { offset: classic.centralDirectoryOffset, length: classic.centralDirectorySize },
      zip64: false,
      endRecordsOffset: classic.offset,
      zip64EndToRead: null,
    });
  }
  const view = viewOf(tail);
  const zip64EndOffset = readUint64(view, locatorInTail + 8, 'ZIP64 end record offset');
  if (view.getUint32(locatorInTail + 4, true) !== 0 || view.getUint32(locatorInTail + 16, true) > 1) {
    throw corrupt('split (multi-disk) archives are not supported');
  }
  if (zip64EndOffset + ZIP64_END_LENGTH > locatorOffset) throw corrupt(`the ZIP64 end record offset ${zip64EndOffset} overlaps its locator`);
  const pending: ZipEnd = {
    entryCount: 0,
    centralDirectory: { offset: 0, length: 0 },
    zip64: true,
    endRecordsOffset: zip64EndOffset,
    zip64EndToRead: { offset: zip64EndOffset, length: ZIP64_END_LENGTH },
  };
  if (zip64EndOffset < tailOffset) return pending;
  const start = zip64EndOffset - tailOffset;
  return applyZip64End(pending, tail.subarray(start, start + ZIP64_END_LENGTH));
}

/** Completes a ZIP64 `ZipEnd` with the 56 bytes of its ZIP64 end record. */
export function applyZip64End(end: ZipEnd, record: Uint8Array): ZipEnd {
  if (record.length < ZIP64_END_LENGTH) throw corrupt('the ZIP64 end record is cut short');
  const view = viewOf(record);
  if (view.getUint32(0, true) !== ZIP64_END_SIGNATURE) throw corrupt('the ZIP64 locator does not point at a ZIP64 end record');
  if (view.getUint32(16, true) !== 0 || view.getUint32(20, true) !== 0) throw corrupt('split (multi-disk) archives are not supported');
  const entriesOnDisk = readUint64(view, 24, 'ZIP64 entries on disk');
  const entryCount = readUint64(view, 32, 'ZIP64 entry count');
  if (entriesOnDisk !== entryCount) throw corrupt('split (multi-disk) archives are not supported');
  return checkEnd({
    entryCount,
    centralDirectory: { offset: readUint64(view, 48, 'ZIP64 central directory offset'), length: readUint64(view, 40, 'ZIP64 central directory size') },
    zip64: true,
    endRecordsOffset: end.endRecordsOffset,
    zip64EndToRead: null,
  });
}

function checkEnd(end: ZipEnd): ZipEnd {
  const { offset, length } = end.centralDirectory;
  if (offset + length > end.endRecordsOffset) {
    throw corrupt(`the central directory (${length} bytes at ${offset}) runs past its end record at ${end.endRecordsOffset}`);
  }
  if (end.entryCount * CENTRAL_HEADER_LENGTH > length) {
    throw corrupt(`${end.entryCount} entries cannot fit in a ${length}-byte central directory`);
  }
  return end;
}

/** Parses the central directory (`end.centralDirectory` bytes) into its entries, in order. */
export function parseCentralDirectory(bytes: Uint8Array, end: ZipEnd): ZipEntry[] {
  const view = viewOf(bytes);
  const entries: ZipEntry[] = [];
  let position = 0;
  for (let index = 0; index < end.entryCount; index++) {
    if (position + CENTRAL_HEADER_LENGTH > bytes.length) throw corrupt(`central directory entry ${index} is cut short`);
    if (view.getUint32(position, true) !== CENTRAL_HEADER_SIGNATURE) throw corrupt(`central directory entry ${index} has no header signature`);
    const flags = view.getUint16(position + 8, true);
    const nameLength = view.getUint16(position + 28, true);
    const extraLength = view.getUint16(position + 30, true);
    const commentLength = view.getUint16(position + 32, true);
    const next = position + CENTRAL_HEADER_LENGTH + nameLength + extraLength + commentLength;
    if (next > bytes.length) throw corrupt(`central directory entry ${index} runs past the central directory`);
    const nameBytes = bytes.subarray(position + CENTRAL_HEADER_LENGTH, position + CENTRAL_HEADER_LENGTH + nameLength);
    const extra = bytes.subarray(position + CENTRAL_HEADER_LENGTH + nameLength, position + CENTRAL_HEADER_LENGTH + nameLength + extraLength);
    const fields = {
      size: view.getUint32(position + 24, true),
      compressedSize: view.getUint32(position + 20, true),
      localHeaderOffset: view.getUint32(position + 42, true),
      disk: view.getUint16(position + 34, true),
    };
    const resolved = applyZip64Extra(fields, extra, index);
    if (resolved.disk !== 0) throw corrupt('split (multi-disk) archives are not supported');
    const name = unicodePathName(extra, nameBytes) ?? decodeMemberName(nameBytes, flags);
    const entry: ZipEntry = {
      name,
      method: view.getUint16(position + 10, true),
      flags,
      crc32: view.getUint32(position + 16, true),
      compressedSize: resolved.compressedSize,
      size: resolved.size,
      localHeaderOffset: resolved.localHeaderOffset,
      modifiedAt: fromDosDateTime({ time: view.getUint16(position + 12, true), date: view.getUint16(position + 14, true) }),
    };
    if (entry.localHeaderOffset + LOCAL_HEADER_LENGTH + entry.compressedSize > end.centralDirectory.offset) {
      throw corrupt(`member "${name}" (${entry.compressedSize} bytes at ${entry.localHeaderOffset}) runs into the central directory`);
    }
    entries.push(entry);
    position = next;
  }
  return entries;
}

interface SizeFields {
  readonly size: number;
  readonly compressedSize: number;
  readonly localHeaderOffset: number;
  readonly disk: number;
}

/**
 * Substitutes the ZIP64 extra field's values for the fields that hold the sentinel, in the
 * order the format fixes: size, compressed size, local header offset, disk number.
 */
export function applyZip64Extra(fields: SizeFields, extra: Uint8Array, index: number): SizeFields {
  const needed = [fields.size === UINT32_SENTINEL, fields.compressedSize === UINT32_SENTINEL, fields.localHeaderOffset === UINT32_SENTINEL, fields.disk === UINT16_SENTINEL];
  if (!needed.some(Boolean)) return fields;
  const body = findExtraField(extra, ZIP64_EXTRA_ID);
  if (body === null) throw corrupt(`central directory entry ${index} needs a ZIP64 extra field and has none`);
  const view = viewOf(body);
  let position = 0;
  const take = (width: 8 | 4, field: string): number => {
    if (position + width > body.length) throw corrupt(`the ZIP64 extra field of entry ${index} is missing its ${field}`);
    const value = width === 8 ? readUint64(view, position, field) : view.getUint32(position, true);
    position += width;
    return value;
  };
  const size = needed[0] ? take(8, 'size') : fields.size;
  const compressedSize = needed[1] ? take(8, 'compressed size') : fields.compressedSize;
  const localHeaderOffset = needed[2] ? take(8, 'local header offset') : fields.localHeaderOffset;
  const disk = needed[3] ? take(4, 'disk number') : fields.disk;
  return { size, compressedSize, localHeaderOffset, disk };
}

/** The body of the first extra field with `id`, or null. */
function findExtraField(extra: Uint8Array, id: number): Uint8Array | null {
  const view = viewOf(extra);
  for (let position = 0; position + 4 <= extra.length;) {
    const fieldId = view.getUint16(position, true);
    const length = view.getUint16(position + 2, true);
    if (position + 4 + length > extra.length) return null;
    if (fieldId === id) return extra.subarray(position + 4, position + 4 + length);
    position += 4 + length;
  }
  return null;
}

/** The Info-ZIP Unicode Path (0x7075) name, when present and written for this very header name. */
function unicodePathName(extra: Uint8Array, headerName: Uint8Array): string | null {
  const body = findExtraField(extra, UNICODE_PATH_EXTRA_ID);
  if (body === null || body.length < 5 || body[0] !== 1) return null;
  if (viewOf(body).getUint32(1, true) !== crc32(headerName)) return null;
  return Buffer.from(body.subarray(5)).toString('utf8');
}

/**
 * The span of a member's data, from the first LOCAL_HEADER_LENGTH bytes of its local header
 * (whose name and extra lengths may differ from the central directory's). `dataEnd` is where
 * member data must stop: the central directory's offset.
 */
export function memberDataSpan(localHeader: Uint8Array, entry: ZipEntry, dataEnd: number): Span {
  if (localHeader.length < LOCAL_HEADER_LENGTH) throw corrupt(`the local header of "${entry.name}" is cut short`);
  const view = viewOf(localHeader);
  if (view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
    throw corrupt(`no local header at offset ${entry.localHeaderOffset} for "${entry.name}"`);
  }
  if (view.getUint16(8, true) !== entry.method) throw corrupt(`the local and central headers of "${entry.name}" disagree on the method`);
  const offset = entry.localHeaderOffset + LOCAL_HEADER_LENGTH + view.getUint16(26, true) + view.getUint16(28, true);
  if (offset + entry.compressedSize > dataEnd) throw corrupt(`the data of "${entry.name}" runs into the central directory`);
  return { offset, length: entry.compressedSize };
}
