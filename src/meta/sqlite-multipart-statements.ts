import type { Database, Statement } from 'better-sqlite3';
import type { ChecksumType } from './multipart-types.ts';

/**
 * The SQLite statements of multipart uploads, completed objects' part lists and copies (tables
 * of sqlite-migration-multipart.ts), prepared once per connection like those of
 * sqlite-statements.ts, and EXPLAINed by the tests.
 */

const UPLOAD_SEEK = 'SELECT * FROM multipart_uploads WHERE bucket_id = ? AND key';
const UPLOAD_ORDER = 'ORDER BY key, upload_id LIMIT ?';

export const MULTIPART_SQL = {
  insertUpload: `INSERT INTO multipart_uploads
    (upload_id, bucket_id, key, initiator_account_id, initiated_at, headers, checksum_algorithm, checksum_type)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  uploadById: `SELECT u.*, b.name AS bucket_name, b.account_id AS bucket_account_id
    FROM multipart_uploads u JOIN buckets b ON b.id = u.bucket_id WHERE u.upload_id = ?`,
  uploadsOfBucket: 'SELECT id, upload_id, key FROM multipart_uploads WHERE bucket_id = ? LIMIT ?',
  deleteUpload: 'DELETE FROM multipart_uploads WHERE id = ?',

  // Listing seeks on UNIQUE (bucket_id, key, upload_id), as for objects; then the rest of one key.
  uploadSeekFrom: `${UPLOAD_SEEK} >= ? ${UPLOAD_ORDER}`,
  uploadSeekAfter: `${UPLOAD_SEEK} > ? ${UPLOAD_ORDER}`,
  uploadSeekFromBelow: `${UPLOAD_SEEK} >= ? AND key < ? ${UPLOAD_ORDER}`,
  uploadSeekAfterBelow: `${UPLOAD_SEEK} > ? AND key < ? ${UPLOAD_ORDER}`,
  uploadsOfKeyAfter: `${UPLOAD_SEEK} = ? AND upload_id > ? ${UPLOAD_ORDER}`,

  partByNumber: 'SELECT * FROM upload_parts WHERE upload_ref = ? AND part_number = ?',
  partsAfter: 'SELECT * FROM upload_parts WHERE upload_ref = ? AND part_number > ? ORDER BY part_number LIMIT ?',
  insertPart: `INSERT INTO upload_parts (upload_ref, part_number, size, etag, checksums, last_modified)
    VALUES (?, ?, ?, ?, ?, ?)`,
  // part_segments rows cascade.
  deletePart: 'DELETE FROM upload_parts WHERE upload_ref = ? AND part_number = ?',
  insertPartSegment: `INSERT INTO part_segments (upload_ref, part_number, segment_index, segment_ref, part_offset)
    VALUES (?, ?, ?, ?, ?)`,
  // One reference less per row that names the segment (a part may name one segment twice).
  releasePartSegments: `UPDATE segments SET ref_count = ref_count - (SELECT count(*) FROM part_segments ps
      WHERE ps.segment_ref = segments.id AND ps.upload_ref = @uploadRef AND ps.part_number = @partNumber)
    WHERE id IN (SELECT segment_ref FROM part_segments WHERE upload_ref = @uploadRef AND part_number = @partNumber)`,
  releaseUploadSegments: `UPDATE segments SET ref_count = ref_count - (SELECT count(*) FROM part_segments ps
      WHERE ps.segment_ref = segments.id AND ps.upload_ref = @uploadRef)
    WHERE id IN (SELECT segment_ref FROM part_segments WHERE upload_ref = @uploadRef)`,
  // Complete: a part's segment references move to the object, renumbered and at object offsets.
  movePartSegments: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT @objectId, @firstIndex + segment_index, segment_ref, part_number, @partOffset + part_offset
    FROM part_segments WHERE upload_ref = @uploadRef AND part_number = @partNumber`,
  deletePartSegments: 'DELETE FROM part_segments WHERE upload_ref = ? AND part_number = ?',

  insertObjectPart: 'INSERT INTO object_parts (object_id, part_number, object_offset, size, checksums) VALUES (?, ?, ?, ?, ?)',
  objectPartCount: 'SELECT count(*) AS count FROM object_parts WHERE object_id = ?',
  objectPart: 'SELECT * FROM object_parts WHERE object_id = ? AND part_number = ?',
  objectPartsAfter: 'SELECT * FROM object_parts WHERE object_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',

  // Copies: the new version names the source's segments (one reference more each) and parts; a
  // copy onto the same key moves the rows to the new version's object row instead.
  objectByVersion: 'SELECT * FROM objects WHERE version_id = ?',
  copyObjectSegments: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT ?, segment_index, segment_ref, part_number, object_offset FROM object_segments WHERE object_id = ?`,
  retainObjectSegments: `UPDATE segments SET ref_count = ref_count + (SELECT count(*) FROM object_segments os
      WHERE os.segment_ref = segments.id AND os.object_id = @objectId)
    WHERE id IN (SELECT segment_ref FROM object_segments WHERE object_id = @objectId)`,
  copyObjectParts: `INSERT INTO object_parts (object_id, part_number, object_offset, size, checksums)
    SELECT ?, part_number, object_offset, size, checksums FROM object_parts WHERE object_id = ?`,
  moveObjectSegments: 'UPDATE object_segments SET object_id = ? WHERE object_id = ?',
  moveObjectParts: 'UPDATE object_parts SET object_id = ? WHERE object_id = ?',
} as const;

export type MultipartStatementName = keyof typeof MULTIPART_SQL;
export type MultipartStatements = Readonly<Record<MultipartStatementName, Statement<unknown[], unknown>>>;

export function prepareMultipartStatements(db: Database): MultipartStatements {
  const prepared = {} as Record<MultipartStatementName, Statement<unknown[], unknown>>;
  for (const name of Object.keys(MULTIPART_SQL) as MultipartStatementName[]) prepared[name] = db.prepare(MULTIPART_SQL[name]);
  return prepared;
}

/** Rows of the multipart tables. */
export interface UploadRow {
  id: number; upload_id: string; bucket_id: number; key: string; initiator_account_id: string; initiated_at: number;
  headers: string; checksum_algorithm: string | null; checksum_type: ChecksumType | null;
}
export interface UploadWithBucketRow extends UploadRow { bucket_name: string; bucket_account_id: string }
export interface PartRow {
  upload_ref: number; part_number: number; size: number; etag: string; checksums: string; last_modified: number;
}
export interface ObjectPartRow { object_id: number; part_number: number; object_offset: number; size: number; checksums: string }
