/**
 * Streams a stored ZIP laid out by `planArchive`: for each member its local header then its bytes
 * (counted and CRC-32'd on the way, `zlib.crc32`), then the central directory and end records.
 * Memory is one piece of member data at a time; the archive is never whole in memory. A member
 * whose bytes differ from the plan (a file changed while packing) stops the stream with
 * ZIP_MEMBER_CHANGED, so a wrong archive is never finished.
 */
import { crc32 } from 'node:zlib';
import { ArchiveError } from './errors.ts';
import type { ArchiveLayout, PlannedMember } from './zip-layout.ts';
import { encodeCentralDirectory, encodeEnd, encodeLocalHeader } from './zip-records.ts';

/** The bytes of one member, in order. */
export type MemberBytes = (member: PlannedMember) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export async function* writeArchive(layout: ArchiveLayout, memberBytes: MemberBytes): AsyncGenerator<Uint8Array> {
  for (const member of layout.members) {
    yield encodeLocalHeader(member);
    let length = 0;
    let checksum = 0;
    for await (const piece of memberBytes(member)) {
      length += piece.length;
      if (length > member.size) throw changed(member, `more than the planned ${member.size} bytes`);
      checksum = crc32(piece, checksum);
      yield piece;
    }
    if (length !== member.size) throw changed(member, `${length} bytes instead of the planned ${member.size}`);
    if (checksum !== member.crc32) throw changed(member, 'different bytes (CRC-32 mismatch)');
  }
  yield* encodeCentralDirectory(layout);
  yield encodeEnd(layout);
}

function changed(member: PlannedMember, what: string): ArchiveError {
  return new ArchiveError('ZIP_MEMBER_CHANGED', `"${member.name}" changed while packing: ${what}`, member.name);
}
