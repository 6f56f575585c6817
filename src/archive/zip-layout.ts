/**
 * Where every byte of a stored ZIP goes, computed before a byte is written: local header and data
 * offsets of each member, the central directory, and whether ZIP64 records are needed. Pure
 * arithmetic, so 4 GiB offsets and 65,535-entry thresholds are tested without writing gigabytes,
 * and the archive's exact size is known up front (an upload can send Content-Length).
 */
import type { Span } from '../span.ts';
import { ArchiveError } from './errors.ts';
import {
  CENTRAL_HEADER_LENGTH, END_LENGTH, LOCAL_HEADER_LENGTH, UINT16_SENTINEL, UINT32_SENTINEL,
  ZIP64_END_LENGTH, ZIP64_LOCATOR_LENGTH,
} from './zip-format.ts';
import { checkMemberNames } from './zip-names.ts';

export interface MemberInput {
  readonly name: string;
  readonly size: number;
  readonly crc32: number;
  readonly modifiedAt: Date;
}

export interface PlannedMember extends MemberInput {
  readonly nameBytes: Uint8Array;
  readonly localHeaderOffset: number;
  /** Local header + name + (ZIP64 extra when `size` needs it). */
  readonly localHeaderLength: number;
  readonly dataOffset: number;
  /** The fields of its central header that overflow 32 bits and move to the ZIP64 extra field. */
  readonly zip64Fields: Zip64Fields;
}

export interface Zip64Fields {
  /** Size (and compressed size, the same for stored data) ≥ 0xFFFFFFFF. */
  readonly sizes: boolean;
  /** Local header offset ≥ 0xFFFFFFFF. */
  readonly offset: boolean;
}

export interface ArchiveLayout {
  readonly members: readonly PlannedMember[];
  readonly centralDirectory: Span;
  /** True when the archive ends with a ZIP64 end record and locator. */
  readonly zip64: boolean;
  /** Total bytes of the archive. */
  readonly size: number;
}

/** Bytes of a ZIP64 extra field (id + length + values) for these overflowing fields; 0 for none. */
export function zip64ExtraLength(fields: Zip64Fields): number {
  const values = (fields.sizes ? 2 : 0) + (fields.offset ? 1 : 0);
  return values === 0 ? 0 : 4 + 8 * values;
}

/** The local header's ZIP64 extra: always both sizes when the size overflows (APPNOTE 4.5.3). */
export function localZip64ExtraLength(size: number): number {
  return size >= UINT32_SENTINEL ? 4 + 16 : 0;
}

export function centralHeaderLength(member: PlannedMember): number {
  return CENTRAL_HEADER_LENGTH + member.nameBytes.length + zip64ExtraLength(member.zip64Fields);
}

/**
 * Lays out `inputs` in order. Refuses duplicate and unsafe names (ZIP_DUPLICATE_NAME,
 * ZIP_UNSAFE_NAME) and archives whose offsets would pass 2^53 (ZIP_TOO_LARGE).
 */
export function planArchive(inputs: readonly MemberInput[]): ArchiveLayout {
  checkMemberNames(inputs.map((input) => input.name));
  const members: PlannedMember[] = [];
  let offset = 0;
  for (const input of inputs) {
    if (!Number.isSafeInteger(input.size) || input.size < 0) throw new RangeError(`member "${input.name}" has size ${input.size}`);
    const nameBytes = Buffer.from(input.name, 'utf8');
    if (nameBytes.length > UINT16_SENTINEL) throw new ArchiveError('ZIP_UNSAFE_NAME', `member name "${input.name.slice(0, 40)}…" is longer than 65,535 bytes`, input.name);
    const localHeaderLength = LOCAL_HEADER_LENGTH + nameBytes.length + localZip64ExtraLength(input.size);
    const member: PlannedMember = {
      ...input,
      nameBytes,
      localHeaderOffset: offset,
      localHeaderLength,
      dataOffset: offset + localHeaderLength,
      zip64Fields: { sizes: input.size >= UINT32_SENTINEL, offset: offset >= UINT32_SENTINEL },
    };
    members.push(member);
    offset = checkedOffset(member.dataOffset + input.size);
  }
  let centralLength = 0;
  for (const member of members) centralLength += centralHeaderLength(member);
  const centralDirectory = { offset, length: centralLength };
  const zip64 = members.length >= UINT16_SENTINEL || centralDirectory.offset >= UINT32_SENTINEL || centralLength >= UINT32_SENTINEL;
  const size = checkedOffset(offset + centralLength + (zip64 ? ZIP64_END_LENGTH + ZIP64_LOCATOR_LENGTH : 0) + END_LENGTH);
  return { members, centralDirectory, zip64, size };
}

function checkedOffset(offset: number): number {
  if (!Number.isSafeInteger(offset)) throw new ArchiveError('ZIP_TOO_LARGE', 'the archive would be larger than 2^53 bytes');
  return offset;
}
