import type { NewObjectVersion, ObjectAcl, ObjectVersion, SegmentRecord } from './types.ts';

/**
 * Records of multipart uploads, their parts, completed objects' part lists and server-side
 * copies (see the MetaStore methods that take and return them).
 *
 * Segments are shared: an object version, an uploaded part, or several of them can reference the
 * same segment (a copy, an UploadPartCopy of whole segments, a completed upload taking over its
 * parts' segments). A segment's shards go to the garbage queue only when its last reference goes.
 */

/**
 * The fields of an object its writer chooses (content type, user metadata, …): fixed when a
 * multipart upload starts and given to the object at Complete; kept or replaced by a copy.
 */
export type ObjectHeaders = Omit<ObjectVersion, 'bucket' | 'key' | 'versionId' | 'size' | 'etag' | 'checksums' | 'createdAt' | 'acl'> & {
  /** The canned ACL asked for (CreateMultipartUpload's `x-amz-acl`, applied at Complete); absent is private. */
  readonly acl?: ObjectAcl;
};

export interface MultipartUpload {
  /** URL-safe, unique; ids of one key sort in the order the uploads were started. */
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  /** The account that started the upload. */
  readonly initiatorAccountId: string;
  readonly initiatedAt: Date;
  readonly headers: ObjectHeaders;
  /** The checksum algorithm (lower case, e.g. `crc32`) declared at Create, or null. */
  readonly checksumAlgorithm: string | null;
  /** How the object's checksum derives from the parts' (null without an algorithm). */
  readonly checksumType: ChecksumType | null;
}

/**
 * S3's two kinds of multipart checksum: `COMPOSITE` is the checksum of the parts' checksums
 * (`…-N`); `FULL_OBJECT` is the checksum of the whole object, combined from the parts' CRCs.
 */
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

export interface UploadedPart {
  /** 1 … 10000. */
  readonly partNumber: number;
  readonly size: number;
  /** Quoted MD5 of the part's bytes, e.g. `"9e107d9d372bb6826bd81d3542a419d6"`. */
  readonly etag: string;
  /** Checksum algorithm (lower case) → base64 value of the part's bytes. */
  readonly checksums: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

/**
 * Where a part's segments come from. `written`: new segments whose shards are pending under
 * `writeId` (as for commitObject). `shared`: segments the store already holds (another object's
 * or part's), referenced by id; their placements and profile are the store's, only `id`,
 * `index`, `offset` and `length` of the records given are used.
 */
export type PartSource = { readonly kind: 'written'; readonly writeId: string } | { readonly kind: 'shared' };

export interface NewUploadedPart {
  readonly uploadId: string;
  readonly part: UploadedPart;
  /** The part's bytes in order: `index` 0, 1, … and `offset` relative to the part's start. */
  readonly segments: readonly SegmentRecord[];
  readonly source: PartSource;
}

export interface ListPartsQuery {
  /** Parts with a number strictly greater than this (0 = from the first). */
  readonly after: number;
  /** 0 … 1000. */
  readonly maxParts: number;
}

export interface ListPartsPage {
  readonly parts: readonly UploadedPart[];
  readonly isTruncated: boolean;
  /** When truncated: the last part number returned; pass it back as `after`. */
  readonly nextAfter: number | null;
}

/** A position in a listing of uploads: after `key`, or after `uploadId` among the uploads of `key`. */
export interface UploadPosition {
  readonly key: string;
  readonly uploadId?: string;
}

export interface ListUploadsQuery {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly after?: UploadPosition;
  /** 0 … 1000: uploads and common prefixes together. */
  readonly maxUploads: number;
}

export interface ListUploadsPage {
  /** In key order (UTF-8 bytes), the uploads of one key in the order they were started. */
  readonly uploads: readonly MultipartUpload[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /**
   * When truncated: where the next page starts. `uploadId` is set when the page ended with an
   * upload; without it, `key` is the last common prefix returned.
   */
  readonly nextAfter: UploadPosition | null;
}

/** A part chosen by Complete, with the ETag the caller validated against the part list. */
export interface ChosenPart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface CompletedUpload {
  readonly uploadId: string;
  /**
   * The object to publish: bucket and key must be the upload's; `size` must be the sum of the
   * chosen parts' sizes. Its bytes are the chosen parts' segments, in order.
   */
  readonly object: NewObjectVersion['object'];
  /** Strictly ascending part numbers, at least one. */
  readonly parts: readonly ChosenPart[];
}

/** A part of a completed multipart object: its span of the object. */
export interface ObjectPart {
  readonly partNumber: number;
  readonly offset: number;
  readonly size: number;
  readonly checksums: Readonly<Record<string, string>>;
}

export interface ObjectPartLookup {
  /** Parts of the version (0: not a multipart object, or an unknown version). */
  readonly partCount: number;
  readonly part: ObjectPart | null;
}

/** A page of a completed multipart object's parts (GetObjectAttributes `ObjectParts`). */
export interface ObjectPartsPage {
  /** Parts of the version (0: not a multipart object, or an unknown version). */
  readonly partCount: number;
  /** In part-number order, numbers strictly after the query's `after`. */
  readonly parts: readonly ObjectPart[];
  readonly isTruncated: boolean;
  /** When truncated: the last part number returned; pass it back as `after`. */
  readonly nextAfter: number | null;
}

export interface ObjectCopy {
  /** The version whose bytes (segments) and parts list the copy shares: it must still be current. */
  readonly sourceVersionId: string;
  /** The new version: its size must be the source's. It replaces the current version of its key. */
  readonly object: NewObjectVersion['object'];
}
