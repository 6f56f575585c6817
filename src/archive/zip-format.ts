/**
 * The fixed parts of the ZIP format (PKWARE APPNOTE 6.3.10) that shardgate reads and writes:
 * record signatures and lengths, the ZIP64 sentinels, DOS timestamps, little-endian 64-bit fields.
 * No I/O.
 */
import { corrupt } from './errors.ts';

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const END_SIGNATURE = 0x06054b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;

/** Fixed part of each record, before its variable-length fields. */
export const LOCAL_HEADER_LENGTH = 30;
export const CENTRAL_HEADER_LENGTH = 46;
export const END_LENGTH = 22;
export const ZIP64_END_LENGTH = 56;
export const ZIP64_LOCATOR_LENGTH = 20;
export const MAX_COMMENT_LENGTH = 0xffff;

/** A 16- or 32-bit field holding this value means "see the ZIP64 record / extra field". */
export const UINT16_SENTINEL = 0xffff;
export const UINT32_SENTINEL = 0xffffffff;
export const ZIP64_EXTRA_ID = 0x0001;
/** Info-ZIP Unicode Path extra field: a UTF-8 name for tools that wrote a CP437 one. */
export const UNICODE_PATH_EXTRA_ID = 0x7075;

export const METHOD_STORED = 0;
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;

/** 2.0 (plain stored), 4.5 (ZIP64): the "version needed to extract" we write. */
export const VERSION_NEEDED_STORED = 20;
export const VERSION_NEEDED_ZIP64 = 45;
/** Made by: Unix (3), spec 4.5. Lets readers honour the Unix mode in the external attributes. */
export const VERSION_MADE_BY = (3 << 8) | 45;
/** A regular file, rw-r--r--, in the high 16 bits of the external attributes (Unix convention). */
export const EXTERNAL_ATTRIBUTES_FILE = (0o100644 << 16) >>> 0;

/** A 64-bit little-endian field as a safe JavaScript number; beyond 2^53 the archive is refused. */
export function readUint64(view: DataView, offset: number, field: string): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${field} ${value} is beyond 2^53`);
  return Number(value);
}

export function writeUint64(view: DataView, offset: number, value: number): void {
  view.setBigUint64(offset, BigInt(value), true);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface DosDateTime {
  readonly time: number;
  readonly date: number;
}

const DOS_EPOCH_YEAR = 1980;
const DOS_LAST_YEAR = 2107;

/**
 * MS-DOS date and time fields (2-second resolution, no time zone). We write UTC so an archive
 * packed from the same files is the same bytes on every machine; dates outside 1980–2107 clamp.
 */
export function toDosDateTime(instant: Date): DosDateTime {
  const year = instant.getUTCFullYear();
  if (year < DOS_EPOCH_YEAR) return { time: 0, date: (1 << 5) | 1 };
  if (year > DOS_LAST_YEAR) return { time: (23 << 11) | (59 << 5) | 29, date: ((DOS_LAST_YEAR - DOS_EPOCH_YEAR) << 9) | (12 << 5) | 31 };
  return {
    time: (instant.getUTCHours() << 11) | (instant.getUTCMinutes() << 5) | (instant.getUTCSeconds() >> 1),
    date: ((year - DOS_EPOCH_YEAR) << 9) | ((instant.getUTCMonth() + 1) << 5) | instant.getUTCDate(),
  };
}

/** The instant a DOS date/time names, read as UTC; null for an impossible date (zeros). */
export function fromDosDateTime({ time, date }: DosDateTime): Date | null {
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  if (month < 1 || month > 12 || day < 1) return null;
  return new Date(Date.UTC(DOS_EPOCH_YEAR + (date >> 9), month - 1, day, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2));
}
