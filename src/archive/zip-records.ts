/**
 * Encodes the records of a stored ZIP planned by `planArchive`: local headers, central directory
 * headers, and the end records (ZIP64 end record and locator when the layout needs them).
 */
import {
  CENTRAL_HEADER_SIGNATURE, END_LENGTH, END_SIGNATURE, EXTERNAL_ATTRIBUTES_FILE, FLAG_UTF8, LOCAL_HEADER_LENGTH,
  LOCAL_HEADER_SIGNATURE, METHOD_STORED, UINT16_SENTINEL, UINT32_SENTINEL, VERSION_MADE_BY, VERSION_NEEDED_STORED,
  VERSION_NEEDED_ZIP64, ZIP64_END_LENGTH, ZIP64_END_SIGNATURE, ZIP64_EXTRA_ID, ZIP64_LOCATOR_LENGTH,
  ZIP64_LOCATOR_SIGNATURE, CENTRAL_HEADER_LENGTH, toDosDateTime, viewOf, writeUint64,
} from './zip-format.ts';
import { centralHeaderLength, localZip64ExtraLength, type ArchiveLayout, type PlannedMember } from './zip-layout.ts';
import { isAsciiName } from './zip-names.ts';

function flagsOf(member: PlannedMember): number {
  return isAsciiName(member.name) ? 0 : FLAG_UTF8;
}

function versionNeeded(member: PlannedMember): number {
  return member.zip64Fields.sizes || member.zip64Fields.offset ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_STORED;
}

function clamp32(value: number): number {
  return value >= UINT32_SENTINEL ? UINT32_SENTINEL : value;
}

export function encodeLocalHeader(member: PlannedMember): Uint8Array {
  const bytes = new Uint8Array(member.localHeaderLength);
  const view = viewOf(bytes);
  const { time, date } = toDosDateTime(member.modifiedAt);
  const extraLength = localZip64ExtraLength(member.size);
  view.setUint32(0, LOCAL_HEADER_SIGNATURE, true);
  view.setUint16(4, member.zip64Fields.sizes ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_STORED, true);
  view.setUint16(6, flagsOf(member), true);
  view.setUint16(8, METHOD_STORED, true);
  view.setUint16(10, time, true);
  view.setUint16(12, date, true);
  view.setUint32(14, member.crc32, true);
  view.setUint32(18, clamp32(member.size), true);
  view.setUint32(22, clamp32(member.size), true);
  view.setUint16(26, member.nameBytes.length, true);
  view.setUint16(28, extraLength, true);
  bytes.set(member.nameBytes, LOCAL_HEADER_LENGTH);
  if (extraLength > 0) {
    const at = LOCAL_HEADER_LENGTH + member.nameBytes.length;
    view.setUint16(at, ZIP64_EXTRA_ID, true);
    view.setUint16(at + 2, 16, true);
    writeUint64(view, at + 4, member.size);
    writeUint64(view, at + 12, member.size);
  }
  return bytes;
}

/** Writes the central header of `member` into `bytes` at `at`; returns the position after it. */
export function encodeCentralHeader(member: PlannedMember, bytes: Uint8Array, at: number): number {
  const view = viewOf(bytes);
  const { time, date } = toDosDateTime(member.modifiedAt);
  const { sizes, offset } = member.zip64Fields;
  const extraValues = (sizes ? [member.size, member.size] : []).concat(offset ? [member.localHeaderOffset] : []);
  view.setUint32(at, CENTRAL_HEADER_SIGNATURE, true);
  view.setUint16(at + 4, VERSION_MADE_BY, true);
  view.setUint16(at + 6, versionNeeded(member), true);
  view.setUint16(at + 8, flagsOf(member), true);
  view.setUint16(at + 10, METHOD_STORED, true);
  view.setUint16(at + 12, time, true);
  view.setUint16(at + 14, date, true);
  view.setUint32(at + 16, member.crc32, true);
  view.setUint32(at + 20, clamp32(member.size), true);
  view.setUint32(at + 24, clamp32(member.size), true);
  view.setUint16(at + 28, member.nameBytes.length, true);
  view.setUint16(at + 30, extraValues.length === 0 ? 0 : 4 + 8 * extraValues.length, true);
  view.setUint16(at + 32, 0, true); // comment length
  view.setUint16(at + 34, 0, true); // disk number start
  view.setUint16(at + 36, 0, true); // internal attributes
  view.setUint32(at + 38, EXTERNAL_ATTRIBUTES_FILE, true);
  view.setUint32(at + 42, clamp32(member.localHeaderOffset), true);
  bytes.set(member.nameBytes, at + CENTRAL_HEADER_LENGTH);
  let position = at + CENTRAL_HEADER_LENGTH + member.nameBytes.length;
  if (extraValues.length > 0) {
    view.setUint16(position, ZIP64_EXTRA_ID, true);
    view.setUint16(position + 2, 8 * extraValues.length, true);
    position += 4;
    for (const value of extraValues) {
      writeUint64(view, position, value);
      position += 8;
    }
  }
  return position;
}

/** The central directory in pieces of about `pieceBytes`, so a huge directory is never one buffer. */
export function* encodeCentralDirectory(layout: ArchiveLayout, pieceBytes = 256 * 1024): Generator<Uint8Array> {
  let members: PlannedMember[] = [];
  let length = 0;
  const flush = () => {
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const member of members) at = encodeCentralHeader(member, bytes, at);
    members = [];
    length = 0;
    return bytes;
  };
  for (const member of layout.members) {
    members.push(member);
    length += centralHeaderLength(member);
    if (length >= pieceBytes) yield flush();
  }
  if (members.length > 0) yield flush();
}

/** The ZIP64 end record and locator (when needed) and the classic end record. */
export function encodeEnd(layout: ArchiveLayout): Uint8Array {
  const { centralDirectory, zip64 } = layout;
  const entryCount = layout.members.length;
  const zip64Length = zip64 ? ZIP64_END_LENGTH + ZIP64_LOCATOR_LENGTH : 0;
  const bytes = new Uint8Array(zip64Length + END_LENGTH);
  const view = viewOf(bytes);
  const zip64EndOffset = centralDirectory.offset + centralDirectory.length;
  if (zip64) {
    view.setUint32(0, ZIP64_END_SIGNATURE, true);
    writeUint64(view, 4, ZIP64_END_LENGTH - 12);
    view.setUint16(12, VERSION_MADE_BY, true);
    view.setUint16(14, VERSION_NEEDED_ZIP64, true);
    view.setUint32(16, 0, true);
    view.setUint32(20, 0, true);
    writeUint64(view, 24, entryCount);
    writeUint64(view, 32, entryCount);
    writeUint64(view, 40, centralDirectory.length);
    writeUint64(view, 48, centralDirectory.offset);
    view.setUint32(ZIP64_END_LENGTH, ZIP64_LOCATOR_SIGNATURE, true);
    view.setUint32(ZIP64_END_LENGTH + 4, 0, true);
    writeUint64(view, ZIP64_END_LENGTH + 8, zip64EndOffset);
    view.setUint32(ZIP64_END_LENGTH + 16, 1, true);
  }
  const at = zip64Length;
  const count16 = entryCount >= UINT16_SENTINEL ? UINT16_SENTINEL : entryCount;
  view.setUint32(at, END_SIGNATURE, true);
  view.setUint16(at + 4, 0, true);
  view.setUint16(at + 6, 0, true);
  view.setUint16(at + 8, count16, true);
  view.setUint16(at + 10, count16, true);
  view.setUint32(at + 12, clamp32(centralDirectory.length), true);
  view.setUint32(at + 16, clamp32(centralDirectory.offset), true);
  view.setUint16(at + 20, 0, true);
  return bytes;
}
