/**
 * Records of the billing ledger kept in the metadata store. The ledger is append-only: storage
 * events are written by the store itself, inside the transactions that change what they bill;
 * request usage is appended in batches by the gateway's meter. Times are the store's clock.
 */

/** What a storage event bills: a current object, or a part of a multipart upload in progress. */
export type StorageItem = 'object' | 'part';

/** The operation that changed a billable item (informational: billing reads only the sizes). */
export type StorageCause =
  | 'put' | 'copy' | 'delete'
  | 'upload-part' | 'abort-upload' | 'complete-upload';

/**
 * One change of one billable item. `oldSize` is what was billed under the item until `at` (null:
 * nothing), `newSize` what is billed from `at` on (null: nothing any more). Sizes are actual bytes;
 * the small-object floor is applied when an invoice is computed, so any floor can be priced later.
 */
export interface StorageEvent {
  readonly accountId: string;
  readonly bucket: string;
  readonly key: string;
  readonly item: StorageItem;
  /** Parts only: the upload and the part number the event is about; null for objects. */
  readonly uploadId: string | null;
  readonly partNumber: number | null;
  readonly cause: StorageCause;
  readonly oldSize: number | null;
  readonly newSize: number | null;
  readonly at: Date;
}

/** How S3 prices a request: writes and lists, reads (GET, HEAD and all others), free (deletes). */
export type RequestClass = 'write' | 'read' | 'free';

/**
 * Metered requests of one account, bucket (empty for service-level requests), class and HTTP
 * status that started within one time slot beginning at `at`: counts and byte sums.
 */
export interface RequestUsage {
  readonly accountId: string;
  readonly bucket: string;
  readonly requestClass: RequestClass;
  readonly status: number;
  readonly at: Date;
  readonly requests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export type RequestUsageTotal = Omit<RequestUsage, 'accountId' | 'at'>;

/** A half-open time window [from, to). */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

export interface SmallObjectQuery {
  /** Only this account's buckets; every account when absent. */
  readonly accountId?: string;
  /** Objects strictly smaller than this many bytes. */
  readonly belowBytes: number;
  /** At most this many groups, those with the most objects first. */
  readonly limit: number;
}

/** Current objects below a size under one key prefix (the key up to its last '/'; '' for none). */
export interface SmallObjectPrefix {
  readonly accountId: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly objects: number;
  readonly bytes: number;
}
