import { walkListingAsync, type SeekBound } from './listing.ts';
import { NoSuchUploadError, PartMismatchError } from './multipart-errors.ts';
import { toPart, toUpload } from './multipart-rows.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  UploadedPart,
} from './multipart-types.ts';
import type { Sql } from './postgres-db.ts';
import {
  batchedSeek, bucketRow, insertObjectRow, retireObject, OBJECT_SQL, type Ledger, type LedgerBucket,
} from './postgres-objects.ts';
import { claimPending, insertSegment, retainSegment, sweepSegments } from './postgres-segments.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import type { PartRow, UploadRow, UploadWithBucketRow } from './sqlite-multipart-statements.ts';
import { toObjectVersion, type BucketRow, type ObjectRow } from './sqlite-rows.ts';
import { NoSuchBucketError } from './store.ts';
import type { ObjectVersion } from './types.ts';

/**
 * Multipart uploads in the PostgreSQL store (SqliteMultipart's logic; rows of the same shapes).
 * Every function runs inside the store's transaction. A part commit, Complete and Abort lock the
 * upload's row (FOR NO KEY UPDATE / FOR UPDATE): they run one after another per upload, and a
 * part committed after Complete or Abort finds no upload.
 */

const UPLOAD_ORDER = 'ORDER BY key, upload_id LIMIT $3';

export const MULTIPART_SQL = {
  insertUpload: `INSERT INTO multipart_uploads
    (upload_id, bucket_id, key, initiator_account_id, initiated_at, headers, checksum_algorithm, checksum_type)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  uploadById: `SELECT u.*, b.name AS bucket_name, b.account_id AS bucket_account_id
    FROM multipart_uploads u JOIN buckets b ON b.id = u.bucket_id WHERE u.upload_id = $1`,
  uploadByIdForPart: `SELECT u.*, b.name AS bucket_name, b.account_id AS bucket_account_id
    FROM multipart_uploads u JOIN buckets b ON b.id = u.bucket_id WHERE u.upload_id = $1 FOR NO KEY UPDATE OF u`,
  uploadByIdForEnd: `SELECT u.*, b.name AS bucket_name, b.account_id AS bucket_account_id
    FROM multipart_uploads u JOIN buckets b ON b.id = u.bucket_id WHERE u.upload_id = $1 FOR UPDATE OF u`,
  uploadsOfBucket: 'SELECT id, upload_id, key FROM multipart_uploads WHERE bucket_id = $1 ORDER BY id LIMIT $2 FOR UPDATE',
  deleteUpload: 'DELETE FROM multipart_uploads WHERE id = $1',

  uploadSeekFrom: `SELECT * FROM multipart_uploads WHERE bucket_id = $1 AND key >= $2 ${UPLOAD_ORDER}`,
  uploadSeekAfter: `SELECT * FROM multipart_uploads WHERE bucket_id = $1 AND key > $2 ${UPLOAD_ORDER}`,
  uploadSeekFromBelow: `SELECT * FROM multipart_uploads WHERE bucket_id = $1 AND key >= $2 AND key < $4 ${UPLOAD_ORDER}`,
  uploadSeekAfterBelow: `SELECT * FROM multipart_uploads WHERE bucket_id = $1 AND key > $2 AND key < $4 ${UPLOAD_ORDER}`,
  uploadsOfKeyAfter: 'SELECT * FROM multipart_uploads WHERE bucket_id = $1 AND key = $2 AND upload_id > $3 ORDER BY key, upload_id LIMIT $4',

  partByNumber: 'SELECT * FROM upload_parts WHERE upload_ref = $1 AND part_number = $2',
  partsAfter: 'SELECT * FROM upload_parts WHERE upload_ref = $1 AND part_number > $2 ORDER BY part_number LIMIT $3',
  insertPart: `INSERT INTO upload_parts (upload_ref, part_number, size, etag, checksums, last_modified)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  deletePart: 'DELETE FROM upload_parts WHERE upload_ref = $1 AND part_number = $2',
  insertPartSegment: `INSERT INTO part_segments (upload_ref, part_number, segment_index, segment_ref, part_offset)
    VALUES ($1, $2, $3, $4, $5)`,
  releasePartSegments: `UPDATE segments s SET ref_count = s.ref_count - ps.n
    FROM (SELECT segment_ref, count(*) AS n FROM part_segments WHERE upload_ref = $1 AND part_number = $2 GROUP BY segment_ref) ps
    WHERE s.id = ps.segment_ref`,
  releaseUploadSegments: `UPDATE segments s SET ref_count = s.ref_count - ps.n
    FROM (SELECT segment_ref, count(*) AS n FROM part_segments WHERE upload_ref = $1 GROUP BY segment_ref) ps
    WHERE s.id = ps.segment_ref`,
  movePartSegments: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT $1, $2 + segment_index, segment_ref, part_number, $3 + part_offset
    FROM part_segments WHERE upload_ref = $4 AND part_number = $5`,
  deletePartSegments: 'DELETE FROM part_segments WHERE upload_ref = $1 AND part_number = $2',
  insertObjectPart: 'INSERT INTO object_parts (object_id, part_number, object_offset, size, checksums) VALUES ($1, $2, $3, $4, $5)',
} as const;

const PART_PAGE = 1000;

type UploadRef = Pick<UploadWithBucketRow, 'id' | 'upload_id' | 'key' | 'bucket_name' | 'bucket_account_id'>;

export async function createUpload(sql: Sql, upload: MultipartUpload): Promise<void> {
  const bucket = await sql.one<BucketRow>(OBJECT_SQL.bucketForWrite, [upload.bucket]);
  if (!bucket) throw new NoSuchBucketError(upload.bucket);
  await sql.run(MULTIPART_SQL.insertUpload, [
    upload.uploadId, bucket.id, upload.key, upload.initiatorAccountId, upload.initiatedAt.getTime(),
    JSON.stringify(upload.headers), upload.checksumAlgorithm, upload.checksumType,
  ]);
}

export async function getUpload(sql: Sql, bucket: string, key: string, uploadId: string): Promise<MultipartUpload | null> {
  const row = await sql.one<UploadWithBucketRow>(MULTIPART_SQL.uploadById, [uploadId]);
  return row && row.bucket_name === bucket && row.key === key ? toUpload(row, bucket) : null;
}

export async function commitPart(sql: Sql, ledger: Ledger, input: NewUploadedPart, now: Date): Promise<UploadedPart | null> {
  const upload = await sql.one<UploadWithBucketRow>(MULTIPART_SQL.uploadByIdForPart, [input.uploadId]);
  if (!upload) throw new NoSuchUploadError(input.uploadId);
  const claim = input.source.kind === 'written' ? await claimPending(sql, input.source.writeId, input.segments) : null;
  const { part } = input;
  const replaced = await sql.one<PartRow>(MULTIPART_SQL.partByNumber, [upload.id, part.partNumber]);
  if (replaced) {
    await sql.run(MULTIPART_SQL.releasePartSegments, [upload.id, part.partNumber]);
    await sql.run(MULTIPART_SQL.deletePart, [upload.id, part.partNumber]);
  }
  await sql.run(MULTIPART_SQL.insertPart, [upload.id, part.partNumber, part.size, part.etag, JSON.stringify(part.checksums), part.lastModified.getTime()]);
  for (const segment of input.segments) {
    const segmentRef = claim ? await insertSegment(sql, segment, now) : await retainSegment(sql, segment.id, segment.length);
    await sql.run(MULTIPART_SQL.insertPartSegment, [upload.id, part.partNumber, segment.index, segmentRef, segment.offset]);
  }
  await claim?.settle(now);
  await ledgerPart(sql, ledger, upload, part.partNumber, 'upload-part', replaced?.size ?? null, part.size, now);
  await sweepSegments(sql, now);
  return replaced ? toPart(replaced) : null;
}

export async function listParts(sql: Sql, uploadId: string, query: ListPartsQuery): Promise<ListPartsPage> {
  const upload = await sql.one<UploadWithBucketRow>(MULTIPART_SQL.uploadById, [uploadId]);
  if (!upload) throw new NoSuchUploadError(uploadId);
  const maxParts = Math.max(0, Math.floor(query.maxParts));
  const rows = await sql.rows<PartRow>(MULTIPART_SQL.partsAfter, [upload.id, query.after, maxParts + 1]);
  const isTruncated = rows.length > maxParts;
  const parts = rows.slice(0, maxParts).map(toPart);
  return { parts, isTruncated, nextAfter: isTruncated ? parts.at(-1)?.partNumber ?? query.after : null };
}

/** Runs inside a read transaction; the same pages as SqliteMultipart.listUploads. */
export async function listUploads(sql: Sql, bucket: string, query: ListUploadsQuery): Promise<ListUploadsPage> {
  const row = await bucketRow(sql, bucket);
  if (!row) throw new NoSuchBucketError(bucket);
  const maxUploads = Math.max(0, Math.floor(query.maxUploads));
  const prefix = query.prefix ?? '';
  const after = query.after;
  if (maxUploads === 0) return { uploads: [], commonPrefixes: [], isTruncated: false, nextAfter: null };

  let sameKey: UploadRow[] = [];
  if (after?.uploadId !== undefined && after.key.startsWith(prefix)
    && !(query.delimiter && after.key.indexOf(query.delimiter, prefix.length) >= 0)) {
    sameKey = await sql.rows<UploadRow>(MULTIPART_SQL.uploadsOfKeyAfter, [row.id, after.key, after.uploadId, maxUploads + 1]);
  }
  const toUploads = (rows: readonly UploadRow[]) => rows.map((upload) => toUpload(upload, bucket));
  if (sameKey.length > maxUploads) {
    const uploads = toUploads(sameKey.slice(0, maxUploads));
    return { uploads, commonPrefixes: [], isTruncated: true, nextAfter: positionOf(uploads.at(-1)!) };
  }

  const fetch = (from: SeekBound, upper: string | null, limit: number) => {
    const statement = upper === null
      ? (from.inclusive ? MULTIPART_SQL.uploadSeekFrom : MULTIPART_SQL.uploadSeekAfter)
      : (from.inclusive ? MULTIPART_SQL.uploadSeekFromBelow : MULTIPART_SQL.uploadSeekAfterBelow);
    return sql.rows<UploadRow>(statement, upper === null ? [row.id, from.key, limit] : [row.id, from.key, limit, upper]);
  };
  // One seek in one request: a key's uploads must not be split between batches (the walk's
  // "after" bound is a key).
  const seek = batchedSeek(fetch, Number.MAX_SAFE_INTEGER, (upload) => upload.key);
  const remaining = maxUploads - sameKey.length;
  const walk = await walkListingAsync({ prefix, delimiter: query.delimiter, after: after?.key, maxKeys: Math.max(remaining, 1) }, seek);
  if (remaining === 0) {
    const more = walk.objects.length + walk.commonPrefixes.length > 0;
    const uploads = toUploads(sameKey);
    return { uploads, commonPrefixes: [], isTruncated: more, nextAfter: more ? positionOf(uploads.at(-1)!) : null };
  }
  const uploads = toUploads([...sameKey, ...walk.objects]);
  const last = uploads.at(-1);
  const nextAfter = !walk.isTruncated || walk.nextAfter === null ? null
    : last !== undefined && last.key === walk.nextAfter ? positionOf(last) : { key: walk.nextAfter };
  return { uploads, commonPrefixes: walk.commonPrefixes, isTruncated: walk.isTruncated, nextAfter };
}

export async function completeUpload(sql: Sql, ledger: Ledger, input: CompletedUpload, now: Date): Promise<ObjectVersion | null> {
  const { object } = input;
  const upload = await sql.one<UploadWithBucketRow>(MULTIPART_SQL.uploadByIdForEnd, [input.uploadId]);
  if (!upload || upload.bucket_name !== object.bucket || upload.key !== object.key) throw new NoSuchUploadError(input.uploadId);
  const chosen: PartRow[] = [];
  let size = 0;
  for (const { partNumber, etag } of input.parts) {
    const part = await sql.one<PartRow>(MULTIPART_SQL.partByNumber, [upload.id, partNumber]);
    if (!part || part.etag !== etag || (chosen.length > 0 && partNumber <= chosen.at(-1)!.part_number)) {
      throw new PartMismatchError(input.uploadId, partNumber);
    }
    chosen.push(part);
    size += part.size;
  }
  if (chosen.length === 0 || size !== object.size) throw new RangeError(`completed object size ${object.size} is not the parts' ${size}`);

  await sql.rows(OBJECT_SQL.lockKey, [upload.bucket_id, object.key]);
  const replaced = await sql.one<ObjectRow>(OBJECT_SQL.objectByKeyForUpdate, [upload.bucket_id, object.key]);
  if (replaced) await retireObject(sql, replaced);
  const objectId = await insertObjectRow(sql, upload.bucket_id, object, now);
  let segmentIndex = 0;
  let offset = 0;
  for (const part of chosen) {
    const moved = await sql.run(MULTIPART_SQL.movePartSegments, [objectId, segmentIndex, offset, upload.id, part.part_number]);
    await sql.run(MULTIPART_SQL.insertObjectPart, [objectId, part.part_number, offset, part.size, part.checksums]);
    await sql.run(MULTIPART_SQL.deletePartSegments, [upload.id, part.part_number]); // the references moved, none released
    await sql.run(MULTIPART_SQL.deletePart, [upload.id, part.part_number]);
    await ledgerPart(sql, ledger, upload, part.part_number, 'complete-upload', part.size, null, now);
    segmentIndex += moved;
    offset += part.size;
  }
  await dropUpload(sql, ledger, upload, 'complete-upload', now); // the parts Complete did not choose
  await ledger(sql, bucketOf(upload), {
    key: object.key, item: 'object', cause: 'complete-upload', oldSize: replaced?.size ?? null, newSize: object.size,
  }, now);
  await sweepSegments(sql, now);
  return replaced ? toObjectVersion(replaced, upload.bucket_name) : null;
}

export async function abortUpload(sql: Sql, ledger: Ledger, bucket: string, key: string, uploadId: string, now: Date): Promise<boolean> {
  const upload = await sql.one<UploadWithBucketRow>(MULTIPART_SQL.uploadByIdForEnd, [uploadId]);
  if (!upload || upload.bucket_name !== bucket || upload.key !== key) return false;
  await dropUpload(sql, ledger, upload, 'abort-upload', now);
  await sweepSegments(sql, now);
  return true;
}

/** Aborts every upload of a bucket being deleted (the caller sweeps). */
export async function abortAllOfBucket(sql: Sql, ledger: Ledger, bucket: BucketRow, now: Date): Promise<void> {
  for (;;) {
    const batch = await sql.rows<Pick<UploadRow, 'id' | 'upload_id' | 'key'>>(MULTIPART_SQL.uploadsOfBucket, [bucket.id, 100]);
    if (batch.length === 0) return;
    for (const upload of batch) {
      await dropUpload(sql, ledger, { ...upload, bucket_name: bucket.name, bucket_account_id: bucket.account_id }, 'abort-upload', now);
    }
  }
}

/** Bills every remaining part of the upload out, releases their segments and deletes the upload. */
async function dropUpload(sql: Sql, ledger: Ledger, upload: UploadRef, cause: LedgerChange['cause'], now: Date): Promise<void> {
  for (let after = 0; ;) {
    const page = await sql.rows<PartRow>(MULTIPART_SQL.partsAfter, [upload.id, after, PART_PAGE]);
    for (const part of page) await ledgerPart(sql, ledger, upload, part.part_number, cause, part.size, null, now);
    if (page.length < PART_PAGE) break;
    after = page.at(-1)!.part_number;
  }
  await sql.run(MULTIPART_SQL.releaseUploadSegments, [upload.id]);
  await sql.run(MULTIPART_SQL.deleteUpload, [upload.id]);
}

async function ledgerPart(
  sql: Sql, ledger: Ledger, upload: Pick<UploadWithBucketRow, 'upload_id' | 'key' | 'bucket_name' | 'bucket_account_id'>,
  partNumber: number, cause: LedgerChange['cause'], oldSize: number | null, newSize: number | null, now: Date,
): Promise<void> {
  await ledger(sql, bucketOf(upload), { key: upload.key, item: 'part', uploadId: upload.upload_id, partNumber, cause, oldSize, newSize }, now);
}

function bucketOf(upload: Pick<UploadWithBucketRow, 'bucket_name' | 'bucket_account_id'>): LedgerBucket {
  return { account_id: upload.bucket_account_id, name: upload.bucket_name };
}

function positionOf(upload: MultipartUpload): { key: string; uploadId: string } {
  return { key: upload.key, uploadId: upload.uploadId };
}
