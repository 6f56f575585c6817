import { walkListing, type SeekBound } from './listing.ts';
import { NoSuchUploadError, PartMismatchError } from './multipart-errors.ts';
import { toPart, toUpload } from './multipart-rows.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  UploadedPart,
} from './multipart-types.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import type { MultipartStatements, PartRow, UploadRow, UploadWithBucketRow } from './sqlite-multipart-statements.ts';
import { toObjectVersion, type BucketRow, type ObjectRow } from './sqlite-rows.ts';
import { PendingClaim, type SegmentBook } from './sqlite-segments.ts';
import type { Statements } from './sqlite-statements.ts';
import { NoSuchBucketError } from './store.ts';
import type { NewObjectVersion, ObjectVersion } from './types.ts';

/** The bucket an event bills: its owner pays. */
export type LedgerBucket = Pick<BucketRow, 'account_id' | 'name'>;

/** What the multipart and copy code needs from the SQLite store it runs in. */
export interface SqliteObjectContext {
  readonly sql: Statements;
  readonly multipartSql: MultipartStatements;
  readonly segments: SegmentBook;
  bucketRow(name: string): BucketRow | undefined;
  /** Inserts the object row of a new current version (no segments) and returns its id. */
  insertObjectRow(bucketId: number, object: NewObjectVersion['object'], now: Date): number;
  /** Releases a version's segment references and deletes it with its segment and part rows. */
  retireObject(row: ObjectRow): void;
  /** The store's one writer of billing events. */
  ledger(bucket: LedgerBucket, change: LedgerChange, at: Date): void;
}

/** Parts read at a time when a whole upload is walked (abort, and the rest of a completed upload). */
const PART_PAGE = 1000;

/**
 * Multipart uploads in the SQLite store. Every method runs inside the store's transaction (the
 * caller opens it); none holds more than a page of parts in memory.
 */
export class SqliteMultipart {
  constructor(private readonly ctx: SqliteObjectContext) {}

  create(upload: MultipartUpload): void {
    const bucket = this.ctx.bucketRow(upload.bucket);
    if (!bucket) throw new NoSuchBucketError(upload.bucket);
    this.ctx.multipartSql.insertUpload.run(
      upload.uploadId, bucket.id, upload.key, upload.initiatorAccountId, upload.initiatedAt.getTime(),
      JSON.stringify(upload.headers), upload.checksumAlgorithm, upload.checksumType,
    );
  }

  get(bucket: string, key: string, uploadId: string): MultipartUpload | null {
    const row = this.#uploadRow(uploadId);
    return row && row.bucket_name === bucket && row.key === key ? toUpload(row, bucket) : null;
  }

  commitPart(input: NewUploadedPart, now: Date): UploadedPart | null {
    const sql = this.ctx.multipartSql;
    const upload = this.#uploadRow(input.uploadId);
    if (!upload) throw new NoSuchUploadError(input.uploadId);
    const claim = input.source.kind === 'written' ? PendingClaim.claim(this.ctx.sql, input.source.writeId, input.segments) : null;
    const { part } = input;
    const replaced = sql.partByNumber.get(upload.id, part.partNumber) as PartRow | undefined;
    if (replaced) this.#dropPart(upload.id, part.partNumber);
    sql.insertPart.run(upload.id, part.partNumber, part.size, part.etag, JSON.stringify(part.checksums), part.lastModified.getTime());
    for (const segment of input.segments) {
      const segmentRef = claim ? this.ctx.segments.insert(segment, now) : this.ctx.segments.retain(segment.id, segment.length);
      sql.insertPartSegment.run(upload.id, part.partNumber, segment.index, segmentRef, segment.offset);
    }
    claim?.settle(now);
    this.#ledgerPart(upload, part.partNumber, 'upload-part', replaced?.size ?? null, part.size, now);
    this.ctx.segments.sweep(now);
    return replaced ? toPart(replaced) : null;
  }

  listParts(uploadId: string, query: ListPartsQuery): ListPartsPage {
    const upload = this.#uploadRow(uploadId);
    if (!upload) throw new NoSuchUploadError(uploadId);
    const maxParts = Math.max(0, Math.floor(query.maxParts));
    const rows = this.ctx.multipartSql.partsAfter.all(upload.id, query.after, maxParts + 1) as PartRow[];
    const isTruncated = rows.length > maxParts;
    const parts = rows.slice(0, maxParts).map(toPart);
    return { parts, isTruncated, nextAfter: isTruncated ? parts.at(-1)?.partNumber ?? query.after : null };
  }

  listUploads(bucket: string, query: ListUploadsQuery): ListUploadsPage {
    const bucketRow = this.ctx.bucketRow(bucket);
    if (!bucketRow) throw new NoSuchBucketError(bucket);
    const sql = this.ctx.multipartSql;
    const maxUploads = Math.max(0, Math.floor(query.maxUploads));
    const prefix = query.prefix ?? '';
    const after = query.after;
    const empty: ListUploadsPage = { uploads: [], commonPrefixes: [], isTruncated: false, nextAfter: null };
    if (maxUploads === 0) return empty;

    // The rest of the marker key's uploads, unless that key is outside the listing or rolled up.
    let sameKey: UploadRow[] = [];
    if (after?.uploadId !== undefined && after.key.startsWith(prefix)
      && !(query.delimiter && after.key.indexOf(query.delimiter, prefix.length) >= 0)) {
      sameKey = sql.uploadsOfKeyAfter.all(bucketRow.id, after.key, after.uploadId, maxUploads + 1) as UploadRow[];
    }
    const toUploads = (rows: readonly UploadRow[]) => rows.map((row) => toUpload(row, bucket));
    if (sameKey.length > maxUploads) {
      const uploads = toUploads(sameKey.slice(0, maxUploads));
      return { uploads, commonPrefixes: [], isTruncated: true, nextAfter: positionOf(uploads.at(-1)!) };
    }

    const seek = (from: SeekBound, upper: string | null, limit: number) => {
      const statement = upper === null
        ? (from.inclusive ? sql.uploadSeekFrom : sql.uploadSeekAfter)
        : (from.inclusive ? sql.uploadSeekFromBelow : sql.uploadSeekAfterBelow);
      const bounds = upper === null ? [from.key] : [from.key, upper];
      return statement.iterate(bucketRow.id, ...bounds, limit) as Iterable<UploadRow>;
    };
    const remaining = maxUploads - sameKey.length;
    // A full page from the marker key: one more entry after it decides truncation.
    const walk = walkListing({ prefix, delimiter: query.delimiter, after: after?.key, maxKeys: Math.max(remaining, 1) }, seek);
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

  complete(input: CompletedUpload, now: Date): ObjectVersion | null {
    const sql = this.ctx.multipartSql;
    const { object } = input;
    const upload = this.#uploadRow(input.uploadId);
    if (!upload || upload.bucket_name !== object.bucket || upload.key !== object.key) throw new NoSuchUploadError(input.uploadId);
    const chosen: PartRow[] = [];
    let size = 0;
    for (const { partNumber, etag } of input.parts) {
      const part = sql.partByNumber.get(upload.id, partNumber) as PartRow | undefined;
      if (!part || part.etag !== etag || (chosen.length > 0 && partNumber <= chosen.at(-1)!.part_number)) {
        throw new PartMismatchError(input.uploadId, partNumber);
      }
      chosen.push(part);
      size += part.size;
    }
    if (chosen.length === 0 || size !== object.size) throw new RangeError(`completed object size ${object.size} is not the parts' ${size}`);

    const replaced = this.ctx.sql.objectByKey.get(upload.bucket_id, object.key) as ObjectRow | undefined;
    if (replaced) this.ctx.retireObject(replaced);
    const objectId = this.ctx.insertObjectRow(upload.bucket_id, object, now);
    let segmentIndex = 0;
    let offset = 0;
    for (const part of chosen) {
      const moved = sql.movePartSegments.run({
        objectId, firstIndex: segmentIndex, partOffset: offset, uploadRef: upload.id, partNumber: part.part_number,
      }).changes;
      sql.insertObjectPart.run(objectId, part.part_number, offset, part.size, part.checksums);
      sql.deletePartSegments.run(upload.id, part.part_number); // the references moved, none released
      sql.deletePart.run(upload.id, part.part_number);
      this.#ledgerPart(upload, part.part_number, 'complete-upload', part.size, null, now);
      segmentIndex += moved;
      offset += part.size;
    }
    this.#dropUpload(upload, 'complete-upload', now); // the parts Complete did not choose
    this.ctx.ledger(bucketOf(upload), {
      key: object.key, item: 'object', cause: 'complete-upload', oldSize: replaced?.size ?? null, newSize: object.size,
    }, now);
    this.ctx.segments.sweep(now);
    return replaced ? toObjectVersion(replaced, upload.bucket_name) : null;
  }

  abort(bucket: string, key: string, uploadId: string, now: Date): boolean {
    const upload = this.#uploadRow(uploadId);
    if (!upload || upload.bucket_name !== bucket || upload.key !== key) return false;
    this.#dropUpload(upload, 'abort-upload', now);
    this.ctx.segments.sweep(now);
    return true;
  }

  /** Aborts every upload of a bucket being deleted (the caller sweeps). */
  abortAllOfBucket(bucket: BucketRow, now: Date): void {
    for (;;) {
      const batch = this.ctx.multipartSql.uploadsOfBucket.all(bucket.id, 100) as Pick<UploadRow, 'id' | 'upload_id' | 'key'>[];
      if (batch.length === 0) return;
      for (const upload of batch) {
        this.#dropUpload({ ...upload, bucket_name: bucket.name, bucket_account_id: bucket.account_id }, 'abort-upload', now);
      }
    }
  }

  /** Bills every remaining part of the upload out, releases their segments and deletes the upload. */
  #dropUpload(upload: Pick<UploadWithBucketRow, 'id' | 'upload_id' | 'key' | 'bucket_name' | 'bucket_account_id'>, cause: LedgerChange['cause'], now: Date): void {
    const sql = this.ctx.multipartSql;
    for (let after = 0; ;) {
      const page = sql.partsAfter.all(upload.id, after, PART_PAGE) as PartRow[];
      for (const part of page) this.#ledgerPart(upload, part.part_number, cause, part.size, null, now);
      if (page.length < PART_PAGE) break;
      after = page.at(-1)!.part_number;
    }
    sql.releaseUploadSegments.run({ uploadRef: upload.id });
    sql.deleteUpload.run(upload.id);
  }

  /** Releases a part's segment references and deletes it (its part_segments rows cascade). */
  #dropPart(uploadRef: number, partNumber: number): void {
    this.ctx.multipartSql.releasePartSegments.run({ uploadRef, partNumber });
    this.ctx.multipartSql.deletePart.run(uploadRef, partNumber);
  }

  #ledgerPart(
    upload: Pick<UploadWithBucketRow, 'upload_id' | 'key' | 'bucket_name' | 'bucket_account_id'>, partNumber: number,
    cause: LedgerChange['cause'], oldSize: number | null, newSize: number | null, now: Date,
  ): void {
    this.ctx.ledger(bucketOf(upload), { key: upload.key, item: 'part', uploadId: upload.upload_id, partNumber, cause, oldSize, newSize }, now);
  }

  #uploadRow(uploadId: string): UploadWithBucketRow | undefined {
    return this.ctx.multipartSql.uploadById.get(uploadId) as UploadWithBucketRow | undefined;
  }
}

function bucketOf(upload: Pick<UploadWithBucketRow, 'bucket_name' | 'bucket_account_id'>): LedgerBucket {
  return { account_id: upload.bucket_account_id, name: upload.bucket_name };
}

function positionOf(upload: MultipartUpload): { key: string; uploadId: string } {
  return { key: upload.key, uploadId: upload.uploadId };
}
