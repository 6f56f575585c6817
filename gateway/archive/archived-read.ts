import { createHash } from 'node:crypto';
import { readZipDirectory, requireStoredMember, ZipIndex } from '../../src/archive/zip-reader.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { ZipEntry } from '../../src/archive/zip-central-directory.ts';
import { checkReadConditions } from '../objects/conditions.ts';
import { requireBucket } from '../access/bucket-access.ts';
import { requireObjectRead, requireReadableObject } from '../access/object-access.ts';
import { objectHeaders } from '../objects/object-headers.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { timed } from '../request-timing.ts';
import { archiveS3Error } from './archive-errors.ts';
import { ARCHIVE_TOKEN_PARAMETER, mintArchiveToken, verifyArchiveToken, type ArchiveGrant } from './archive-token.ts';
import { memberContentType } from './member-content-type.ts';
import { memberPathCandidates, type MemberPath } from './member-path.ts';
import { objectByteSource } from './object-source.ts';
import { isPlaylistName, MAX_TOKENIZED_PLAYLIST_BYTES, playlistWithToken } from './playlist-tokens.ts';
import { parseRangeQuery } from './range-query.ts';
import { readWindowBytes, windowResponse, type ObjectWindow } from './window-response.ts';

/**
 * The archive side of GetObject and HeadObject, called first by both:
 * - member by path: `GET|HEAD /bucket/movie.zip/720p/index.m3u8` serves member `720p/index.m3u8`
 *   of `movie.zip` when no object has that exact key (an exact key always wins);
 * - `?range=<offset>,<length>`: exactly those bytes of the object (or of the member), 200;
 * - `X-Shardgate-Token`: an unsigned read of an archive or its members granted by a token that a
 *   presigned playlist handed out (see `archive-token.ts`).
 * Resolves to null when the request is an ordinary object read, which the caller then serves.
 */
export async function readArchived(request: PublicReadRequest, method: 'GET' | 'HEAD'): Promise<Response | null> {
  const rangeQuery = request.query.get('range');
  const token = request.query.get(ARCHIVE_TOKEN_PARAMETER);
  const candidates = memberPathCandidates(request.key);
  if (rangeQuery === null && token === null && candidates.length === 0) return null;
  const grant = token === null ? null : await verifyArchiveToken(request, token, [request.key, ...candidates.map((candidate) => candidate.archiveKey)]);
  const report: ReadReport = request.log.read ?? { shardsRead: 0, failures: [] };
  request.log.read = report;
  let window: ObjectWindow | null = null;
  if (grant?.archiveKey !== request.key && candidates.length > 0 && !(await timed(request.log.timing, 'metadata', () => request.deps.store.getObject(request.bucket, request.key)))) {
    window = await memberWindow(request, grant, candidates, report);
  } else if (grant && grant.archiveKey !== request.key) {
    throw new S3Error('AccessDenied', { message: 'The archive token grants only the archive and its members.', resource: `/${request.bucket}/${request.key}` });
  }
  if (window === null) {
    if (rangeQuery === null && grant === null) return null;
    const version = await timed(request.log.timing, 'metadata', () => readableObject(request, request.key, grant));
    window = { version, span: { offset: 0, length: version.size }, etag: version.etag, headers: objectHeaders(version) };
  }
  checkReadConditions({ ...window.version, etag: window.etag }, (name) => request.c.req.header(name));
  if (rangeQuery !== null) {
    const narrowed = parseRangeQuery(rangeQuery, window.span.length);
    window = window.body
      ? { ...window, span: narrowed, body: window.body.subarray(narrowed.offset, narrowed.offset + narrowed.length) }
      : { ...window, span: { offset: window.span.offset + narrowed.offset, length: narrowed.length } };
  }
  if (!window.member) return windowResponse(request, window, method, report);
  // A member's first read parses its local header: a corrupt one is the archive's error.
  return windowResponse(request, window, method, report).catch((error: unknown) => {
    throw archiveS3Error(error, request.bucket, window.version.key);
  });
}

/**
 * The current version of `key`, which the caller may read: by the usual rules (own bucket or
 * public-read), or, for a token request, as the token's account.
 */
async function readableObject(request: PublicReadRequest, key: string, grant: ArchiveGrant | null): Promise<ObjectVersion> {
  if (!grant) return (await requireReadableObject(request, request.bucket, key)).version;
  const bucket = await request.deps.store.getBucket(request.bucket);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${request.bucket}`, extra: { BucketName: request.bucket } });
  if (bucket.accountId !== grant.accountId) throw new S3Error('AccessDenied', { resource: `/${request.bucket}/${request.key}` });
  const version = await request.deps.store.getObject(request.bucket, key);
  if (!version) throw new S3Error('NoSuchKey', { resource: `/${request.bucket}/${request.key}`, extra: { Key: request.key } });
  return version;
}

/**
 * A candidate archive the caller may read, or null when there is no such object. A candidate that
 * is not there is skipped for anyone: the access check would answer a caller who may read objects
 * but not list the bucket (a public-read object, a policy) AccessDenied.
 */
async function candidateArchive(request: PublicReadRequest, archiveKey: string, grant: ArchiveGrant | null): Promise<ObjectVersion | null> {
  if (grant) {
    return readableObject(request, archiveKey, grant).catch((error: unknown) => {
      if (error instanceof S3Error && error.code === 'NoSuchKey') return null;
      throw error;
    });
  }
  const version = await request.deps.store.getObject(request.bucket, archiveKey);
  if (!version) return null;
  requireObjectRead(request, await requireBucket(request, request.bucket), version);
  return version;
}

/** The member a key names in the first candidate archive that exists, or null when none does. */
async function memberWindow(request: PublicReadRequest, grant: ArchiveGrant | null, candidates: readonly MemberPath[], report: ReadReport): Promise<ObjectWindow | null> {
  for (const candidate of grant ? candidates.filter((c) => c.archiveKey === grant.archiveKey) : candidates) {
    const version = await timed(request.log.timing, 'metadata', () => candidateArchive(request, candidate.archiveKey, grant));
    if (!version) continue;
    try {
      const window = await timed(request.log.timing, 'plan', () => resolveMember(request, version, candidate.memberName, report));
      return await withPlaylistToken(request, grant, candidate, window, report);
    } catch (error) {
      throw archiveS3Error(error, request.bucket, candidate.archiveKey);
    }
  }
  return null;
}

/**
 * The central directory comes from the cache (read once per object version); the member's data is
 * located by its first read (see `member-read.ts`); after that a member read is one lookup and its
 * byte windows.
 */
async function resolveMember(request: PublicReadRequest, version: ObjectVersion, memberName: string, report: ReadReport): Promise<ObjectWindow> {
  const { deps } = request;
  // Index loads are shared by concurrent requests, so no one client's hang-up may cancel them.
  const source = objectByteSource(deps, version, report, new AbortController().signal);
  const archive = await deps.archiveIndexes.get(version.versionId, async () => new ZipIndex(await readZipDirectory(source)));
  const entry = memberName.endsWith('/') ? undefined : archive.index.get(memberName);
  if (!entry) throw new S3Error('NoSuchKey', { resource: `/${request.bucket}/${request.key}`, extra: { Key: request.key } });
  requireStoredMember(entry);
  const etag = memberEtag(version, entry);
  return { version, span: { offset: 0, length: entry.compressedSize }, member: { entry, archive }, etag, headers: memberHeaders(version, memberName, etag) };
}

/**
 * A playlist member read through a presigned URL or a token comes back with the token on every
 * URI in it, so the player can fetch the rest of the stream with no signature of its own.
 */
async function withPlaylistToken(request: PublicReadRequest, grant: ArchiveGrant | null, member: MemberPath, window: ObjectWindow, report: ReadReport): Promise<ObjectWindow> {
  if (!isPlaylistName(member.memberName) || window.span.length > MAX_TOKENIZED_PLAYLIST_BYTES) return window;
  let token = grant?.token ?? null;
  const auth = request.auth;
  if (token === null && auth.kind === 'signed' && auth.sigv4.kind === 'presigned' && auth.sigv4.expiresAt) {
    token = mintArchiveToken(request.deps.credentials.masterKey, {
      bucket: request.bucket, archiveKey: member.archiveKey, accessKeyId: auth.accessKeyId, expiresAt: auth.sigv4.expiresAt,
    });
  }
  if (token === null) return window;
  const body = playlistWithToken(await readWindowBytes(request, window, report), member.memberName, token);
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  return { ...window, span: { offset: 0, length: body.length }, body, etag, headers: { ...memberHeaders(window.version, member.memberName, etag), 'cache-control': 'private' } };
}

function memberHeaders(version: ObjectVersion, memberName: string, etag: string): Record<string, string> {
  return {
    'content-type': memberContentType(memberName),
    etag,
    'last-modified': version.createdAt.toUTCString(),
    'accept-ranges': 'bytes',
  };
}

/** Changes with the archive version and names one member of it. */
function memberEtag(version: ObjectVersion, entry: ZipEntry): string {
  return `"${createHash('md5').update(`${version.etag}\n${entry.name}\n${entry.localHeaderOffset}`).digest('hex')}"`;
}
