/**
 * Reads a ZIP's central directory through any byte-range source (a local file, an S3 object, the
 * gateway's verified shard reads): one suffix read for the end records (which usually holds the
 * whole central directory of a small archive too), one read for a ZIP64 end record that lies
 * before that suffix, one read for the central directory. Then a member's data is one small read
 * of its local header plus the data itself.
 */
import type { Span } from '../span.ts';
import { ArchiveError, corrupt } from './errors.ts';
import {
  applyZip64End, endSearchSpan, memberDataSpan, parseCentralDirectory, parseEnd, type ZipEnd, type ZipEntry,
} from './zip-central-directory.ts';
import { FLAG_ENCRYPTED, LOCAL_HEADER_LENGTH, METHOD_STORED } from './zip-format.ts';
import { checkMemberNames } from './zip-names.ts';

/** Random access to `size` bytes; `read` resolves with exactly `span.length` bytes. */
export interface ByteSource {
  readonly size: number;
  read(span: Span): Promise<Uint8Array>;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  readonly centralDirectory: Span;
  readonly zip64: boolean;
}

/** 64 MiB of central directory is ~800,000 members with 40-byte names. */
export const DEFAULT_MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

export interface ReadDirectoryOptions {
  /** A larger central directory is refused with ZIP_TOO_LARGE (it would be held in memory). */
  readonly maxCentralDirectoryBytes?: number;
}

export async function readZipDirectory(source: ByteSource, options: ReadDirectoryOptions = {}): Promise<ZipDirectory> {
  const maxBytes = options.maxCentralDirectoryBytes ?? DEFAULT_MAX_CENTRAL_DIRECTORY_BYTES;
  const tailSpan = endSearchSpan(source.size);
  const tail = await readExactly(source, tailSpan);
  let end: ZipEnd = parseEnd(tail, tailSpan.offset, source.size);
  if (end.zip64EndToRead) end = applyZip64End(end, await readExactly(source, end.zip64EndToRead));
  const { centralDirectory } = end;
  if (centralDirectory.length > maxBytes) {
    throw new ArchiveError('ZIP_TOO_LARGE', `the central directory is ${centralDirectory.length} bytes, more than the ${maxBytes} this reader holds`);
  }
  const bytes = centralDirectory.offset >= tailSpan.offset
    ? tail.subarray(centralDirectory.offset - tailSpan.offset, centralDirectory.offset - tailSpan.offset + centralDirectory.length)
    : await readExactly(source, centralDirectory);
  return { entries: parseCentralDirectory(bytes, end), centralDirectory, zip64: end.zip64 };
}

/** The span of a member's data in the archive: reads its local header. */
export async function readMemberDataSpan(source: ByteSource, entry: ZipEntry, dataEnd: number): Promise<Span> {
  const header = await readExactly(source, { offset: entry.localHeaderOffset, length: LOCAL_HEADER_LENGTH });
  return memberDataSpan(header, entry, dataEnd);
}

/** Throws ZIP_COMPRESSED_MEMBER or ZIP_ENCRYPTED_MEMBER unless the member's bytes are stored as they are. */
export function requireStoredMember(entry: ZipEntry): void {
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) {
    throw new ArchiveError('ZIP_ENCRYPTED_MEMBER', `member "${entry.name}" is encrypted; only unencrypted stored members can be served`, entry.name);
  }
  if (entry.method !== METHOD_STORED) {
    throw new ArchiveError(
      'ZIP_COMPRESSED_MEMBER',
      `member "${entry.name}" is compressed (method ${entry.method}); only stored (method 0) members can be served, pack with "zip -0" or "shardgate archive pack"`,
      entry.name,
    );
  }
  if (entry.compressedSize !== entry.size) throw corrupt(`stored member "${entry.name}" has ${entry.compressedSize} bytes of data for ${entry.size} bytes of content`);
}

/**
 * A central directory by member name. Building it refuses archives with duplicate names or names
 * that are absolute or climb out with `..`: a member path must name one member, inside the archive.
 */
export class ZipIndex {
  readonly #byName = new Map<string, ZipEntry>();

  constructor(readonly directory: ZipDirectory) {
    checkMemberNames(directory.entries.map((entry) => entry.name));
    for (const entry of directory.entries) this.#byName.set(entry.name, entry);
  }

  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  get entries(): readonly ZipEntry[] {
    return this.directory.entries;
  }

  /** Member data must end here: the start of the central directory. */
  get dataEnd(): number {
    return this.directory.centralDirectory.offset;
  }
}

async function readExactly(source: ByteSource, span: Span): Promise<Uint8Array> {
  if (span.offset < 0 || span.offset + span.length > source.size) {
    throw corrupt(`a record at ${span.offset} (+${span.length}) lies outside the ${source.size}-byte archive`);
  }
  const bytes = await source.read(span);
  if (bytes.length !== span.length) throw corrupt(`read ${bytes.length} bytes at ${span.offset}, expected ${span.length}`);
  return bytes;
}
