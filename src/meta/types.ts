import type { ErasureProfile } from '../erasure/profile.ts';

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly accountId: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export interface Bucket {
  readonly name: string;
  readonly accountId: string;
  readonly createdAt: Date;
  /** The erasure profile new objects in this bucket are written with. */
  readonly profile: ErasureProfile;
  /** Who besides the owner may read: see BucketAcl. */
  readonly acl: BucketAcl;
  /** The bucket policy (PutBucketPolicy), as the JSON text the owner stored; null without one. */
  readonly policy: string | null;
  /** Whether the bucket has a lifecycle configuration (GET/HEAD/PUT look its rules up only then). */
  readonly hasLifecycle: boolean;
}

/** A bucket as listed (listBuckets): the record without what other tables add (`hasLifecycle`). */
export type BucketSummary = Omit<Bucket, 'hasLifecycle'>;

/**
 * The canned ACLs shardgate keeps for a bucket. `public-read`: anyone, signed by any account or
 * anonymous, may list the bucket and GET/HEAD its objects (shardgate has no per-object ACLs, so a
 * public bucket's objects are public, as a player fetching archived HLS segments needs).
 */
export type BucketAcl = 'private' | 'public-read';

/** A page of ListBuckets: names starting with `prefix`, strictly after `after`, at most `limit`. */
export interface BucketListPage {
  readonly prefix?: string;
  readonly after?: string;
  readonly limit?: number;
}

/** A bucket to create; its ACL defaults to private. */
export type NewBucket = Omit<Bucket, 'acl' | 'policy' | 'hasLifecycle'> & { readonly acl?: BucketAcl };

/**
 * The canned ACLs shardgate keeps for an object version: `public-read` lets anyone (any account,
 * or no signature at all) GET and HEAD it. Set by `x-amz-acl` on PutObject, CopyObject,
 * CreateMultipartUpload (applied at Complete) and PutObjectAcl.
 */
export type ObjectAcl = 'private' | 'public-read';

export type CorsMethod = 'GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE';

/** One rule of a bucket's CORS configuration (PutBucketCors), as the client sent it. */
export interface CorsRule {
  readonly id?: string;
  /** Origins, each with at most one `*` wildcard. */
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly CorsMethod[];
  /** Request headers a preflight may ask for, each with at most one `*`; compared case-insensitively. */
  readonly allowedHeaders: readonly string[];
  /** Response headers the browser may show to scripts. */
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

/** A shard node as the gateway knows it. */
export interface NodeRecord {
  readonly id: string;
  /** Base URL the gateway reaches the node at, e.g. `http://127.0.0.1:7001`. */
  readonly url: string;
  readonly zone: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
  readonly registeredAt: Date;
  readonly lastHeartbeatAt: Date;
  /** The operator whose join token admitted the node; null for nodes from before operators. */
  readonly operatorId: string | null;
  /** base64url raw Ed25519 public key bound at the first registration; null before node keys. */
  readonly publicKey: string | null;
  /** Hex request secret shared with the node (random, rotated at each registration); null: none yet. */
  readonly secret: string | null;
  /** 1 for the first secret, +1 at each rotation; 0 before any. */
  readonly secretEpoch: number;
  /** Gateway time (ms) of the newest signed registration accepted: a replay is not newer. */
  readonly lastSignedAtMs: number;
}

/** Who runs shard nodes: every join token belongs to one, and placement caps shards per operator. */
export interface Operator {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface JoinToken {
  readonly id: string;
  readonly operatorId: string;
  /** SHA-256 of the token; the token itself is never stored. */
  readonly tokenHash: Uint8Array;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export interface NewJoinToken {
  readonly id: string;
  readonly operatorId: string;
  readonly tokenHash: Uint8Array;
  readonly createdAt: Date;
}

export interface NodeTombstone {
  readonly nodeId: string;
  /** Why the id is dead, e.g. `forgotten` or `disqualified`. */
  readonly reason: string;
  readonly tombstonedAt: Date;
}

/** Where one shard of a segment lives, and the BLAKE3 root of its chunk-hash list. */
export interface ShardPlacement {
  readonly shardIndex: number;
  readonly nodeId: string;
  /** 32 bytes. */
  readonly root: Uint8Array;
}

/**
 * One segment of an object: `length` data bytes at `offset` of the object, erasure-coded with
 * `profile`; shard i is the file `shardId(id, i)` on node `shards[i].nodeId`. A shard that did not
 * reach its node is absent from `shards` (the write quorum allows up to m - 1 missing).
 */
/**
 * How a segment's bytes are encrypted (AES-256-CTR, see src/crypto/): its data key wrapped by the
 * key `keyId` names (a master key of the key file, or for SSE-C a key derived from the customer's),
 * and the CTR initial counter block. The store treats the fields as opaque.
 */
export interface SegmentEncryption {
  readonly keyId: string;
  readonly wrappedKey: Uint8Array;
  /** 16 bytes. */
  readonly iv: Uint8Array;
}

export interface SegmentRecord {
  readonly id: string;
  readonly partNumber: number;
  /** Position of the segment within the whole object (0, 1, 2, …). */
  readonly index: number;
  readonly offset: number;
  readonly length: number;
  readonly profile: ErasureProfile;
  readonly shards: readonly ShardPlacement[];
  /** Null for segments written before encryption (stored in the clear, still readable). */
  readonly encryption: SegmentEncryption | null;
  /**
   * A tiny segment kept in the metadata instead of on nodes: its whole ciphertext (encrypted under
   * `encryption` exactly as a sharded segment's data), and then `shards` is empty. Absent for a
   * segment on nodes. Written only by single-request uploads (see gateway/write/inline-segment.ts).
   */
  readonly inlineCiphertext?: Uint8Array;
}

/**
 * How an object is encrypted, as S3 reports it: `sse-s3` (data keys wrapped by the gateway's
 * master key) or `sse-c` (wrapped by a key derived from the customer's key, which the gateway
 * recognises by `keyHmac`, an HMAC-SHA256 of the key under the random `keySalt`, both base64).
 */
export type ObjectEncryption =
  | { readonly mode: 'sse-s3' }
  | { readonly mode: 'sse-c'; readonly keySalt: string; readonly keyHmac: string };

export interface ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  /** Quoted as S3 returns it, e.g. `"9e107d9d372bb6826bd81d3542a419d6"`. */
  readonly etag: string;
  readonly contentType: string;
  readonly userMetadata: Readonly<Record<string, string>>;
  /** Checksum algorithm (lower case, e.g. `crc32`) → base64 value. */
  readonly checksums: Readonly<Record<string, string>>;
  /** Representation headers stored with the object and returned on GET/HEAD. */
  readonly contentHeaders: ContentHeaders;
  /** Null for objects written before encryption (their segments are in the clear). */
  readonly encryption: ObjectEncryption | null;
  /**
   * The version's tag set (S3 object tagging), in the order it was given; [] when it has none.
   * Set by PutObject / CreateMultipartUpload (`x-amz-tagging`), CopyObject, PutObjectTagging.
   */
  readonly tags: readonly Tag[];
  /** The version's canned ACL (see ObjectAcl). */
  readonly acl: ObjectAcl;
  readonly createdAt: Date;
}

/** One tag of an object or bucket: key 1–128, value 0–256 Unicode characters (src/s3/tagging.ts checks). */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** The representation headers S3 keeps with an object besides Content-Type (lower-case names). */
export const CONTENT_HEADER_NAMES = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;
export type ContentHeaderName = (typeof CONTENT_HEADER_NAMES)[number];
export type ContentHeaders = Readonly<Partial<Record<ContentHeaderName, string>>>;

/**
 * What the current version of the key must be for a conditional write to commit:
 * `absent` (`If-None-Match: *`) or present with this quoted ETag (`If-Match`; `*` for any).
 */
export type CommitPrecondition =
  | { readonly kind: 'absent' }
  | { readonly kind: 'etag'; readonly etag: string };

export interface NewObjectVersion {
  /** `contentHeaders` and `tags` default to none: a copy or a completed upload must pass the source's on. */
  readonly object: Omit<ObjectVersion, 'createdAt' | 'contentHeaders' | 'encryption' | 'tags' | 'acl'> & {
    readonly createdAt?: Date;
    /** Defaults to private. */
    readonly acl?: ObjectAcl;
    readonly contentHeaders?: ContentHeaders;
    /** Defaults to none. */
    readonly tags?: readonly Tag[];
    /** Defaults to null (not encrypted). */
    readonly encryption?: ObjectEncryption | null;
  };
  /** Checked inside the commit's transaction; CommitPreconditionError when it does not hold. */
  readonly precondition?: CommitPrecondition;
  readonly segments: readonly SegmentRecord[];
  /** The write whose pending shards this commit makes permanent (see `addPendingShards`). */
  readonly writeId: string;
}

/** A shard file on a node that nothing references any more and should be deleted. */
export interface GarbageShard {
  readonly id: number;
  readonly shardId: string;
  readonly nodeId: string;
  /** When it became garbage: a collector can wait a grace period so reads in flight finish. */
  readonly enqueuedAt: Date;
}

export interface PendingShard {
  readonly shardId: string;
  readonly nodeId: string;
}

export interface ListObjectsQuery {
  readonly prefix?: string;
  /** Return keys strictly after this one (continuation token or start-after, whichever is later). */
  readonly after?: string;
  readonly delimiter?: string;
  /** 0..1000. */
  readonly maxKeys: number;
}

export interface ListObjectsPage {
  readonly objects: readonly ObjectVersion[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** When truncated: the last key or common prefix returned; pass it back as `after`. */
  readonly nextAfter: string | null;
}

/** The shard file name of shard `shardIndex` of segment `segmentId`. */
export function shardId(segmentId: string, shardIndex: number): string {
  return `${segmentId}.${shardIndex}`;
}
