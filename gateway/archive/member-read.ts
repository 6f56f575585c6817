import { localHeaderReadSpan, memberPartFromLocalHeader } from '../../src/archive/member-from-local-header.ts';
import type { ZipEntry } from '../../src/archive/zip-central-directory.ts';
import { readMemberDataSpan } from '../../src/archive/zip-reader.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import type { GatewayDeps } from '../context.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { CachedArchive } from './archive-index-cache.ts';
import { objectByteSource } from './object-source.ts';

/** One member of a cached archive index. */
export interface ArchiveMember {
  readonly entry: ZipEntry;
  readonly archive: CachedArchive;
}

/**
 * A part that starts further than this into a member whose data is not located yet reads the
 * local header on its own first (two round trips) rather than every byte before the part.
 */
const LEADING_BYTES_MAX = 1024 * 1024;

/**
 * `part` (member-relative) of a stored member, every byte verified. Once a read has located the
 * member's data, this is a plain range read of the archive. Before that, one read starts at the
 * member's local header and locates the data on the way (see `member-from-local-header.ts`): the
 * first read of a member, the usual case for a video segment, costs one round trip to the shard
 * nodes, not two.
 */
export async function* readMemberPart(
  deps: GatewayDeps,
  version: ObjectVersion,
  member: ArchiveMember,
  part: Span,
  report: ReadReport,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const { entry, archive } = member;
  const { dataEnd } = archive.index;
  let dataSpan = archive.knownDataSpan(entry);
  if (!dataSpan && part.offset > LEADING_BYTES_MAX) {
    dataSpan = await readMemberDataSpan(objectByteSource(deps, version, report, signal), entry, dataEnd);
    archive.rememberDataSpan(entry, dataSpan);
  }
  if (dataSpan) {
    yield* readObjectRange(deps, version, { offset: dataSpan.offset + part.offset, length: part.length }, report, signal);
    return;
  }
  const fromHeader = readObjectRange(deps, version, localHeaderReadSpan(entry, dataEnd, part), report, signal);
  const sent = yield* memberPartFromLocalHeader(fromHeader, entry, dataEnd, part, (span) => archive.rememberDataSpan(entry, span));
  if (sent < part.length) {
    const located = archive.knownDataSpan(entry)!;
    yield* readObjectRange(deps, version, { offset: located.offset + part.offset + sent, length: part.length - sent }, report, signal);
  }
}
