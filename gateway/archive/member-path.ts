/**
 * Member-by-path keys: `movie.zip/720p/index.m3u8` names member `720p/index.m3u8` of the object
 * `movie.zip`. A key can hold several `.zip/` (`a.zip/b.zip/c`); the longest archive key is tried
 * first, and only a few candidates are tried at all, so a hostile key costs a bounded number of
 * lookups. Pure.
 */

export interface MemberPath {
  readonly archiveKey: string;
  readonly memberName: string;
}

const MAX_CANDIDATES = 4;
const ARCHIVE_SEPARATOR = /\.zip\//gi;

export function memberPathCandidates(key: string): MemberPath[] {
  const candidates: MemberPath[] = [];
  for (const match of key.matchAll(ARCHIVE_SEPARATOR)) {
    const archiveEnd = match.index + '.zip'.length;
    const memberName = key.slice(archiveEnd + 1);
    if (archiveEnd > '.zip'.length && memberName !== '') candidates.push({ archiveKey: key.slice(0, archiveEnd), memberName });
  }
  return candidates.reverse().slice(0, MAX_CANDIDATES);
}
