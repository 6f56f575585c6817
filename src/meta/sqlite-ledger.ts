import type { Statements } from './sqlite-statements.ts';
import type {
  RequestClass, RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageCause, StorageEvent,
  StorageItem, TimeWindow,
} from './usage-types.ts';

/**
 * The SQLite side of the billing ledger (tables `storage_ledger` and `request_usage`). The store
 * calls these inside its own transactions; nothing here opens one.
 */

/** A change of one billable item, as the store's write methods describe it. */
export interface LedgerChange {
  readonly key: string;
  readonly item: StorageItem;
  readonly uploadId?: string | null;
  readonly partNumber?: number | null;
  readonly cause: StorageCause;
  readonly oldSize: number | null;
  readonly newSize: number | null;
}

interface StorageEventRow {
  account_id: string; bucket: string; key: string; item: StorageItem; upload_id: string | null;
  part_number: number | null; cause: StorageCause; old_size: number | null; new_size: number | null; at: number;
}

interface RequestUsageRow {
  bucket: string; request_class: RequestClass; status: number; requests: number; bytes_in: number; bytes_out: number;
}

interface SmallObjectPrefixRow { account_id: string; bucket: string; prefix: string; objects: number; bytes: number }

/** Appends one storage event for `bucket` (its owner is billed). A change that changes nothing is not recorded. */
export function appendStorageEvent(
  sql: Statements, bucket: { readonly account_id: string; readonly name: string }, change: LedgerChange, at: Date,
): void {
  if (change.oldSize === null && change.newSize === null) return;
  sql.insertStorageEvent.run(
    bucket.account_id, bucket.name, change.key, change.item, change.uploadId ?? null, change.partNumber ?? null,
    change.cause, change.oldSize, change.newSize, at.getTime(),
  );
}

/** Streams the account's events before `before`, oldest first, to `visit` (which must not call the store). */
export function visitStorageEvents(sql: Statements, accountId: string, before: Date, visit: (event: StorageEvent) => void): void {
  for (const row of sql.storageEventsBefore.iterate(accountId, before.getTime()) as Iterable<StorageEventRow>) {
    visit({
      accountId: row.account_id,
      bucket: row.bucket,
      key: row.key,
      item: row.item,
      uploadId: row.upload_id,
      partNumber: row.part_number,
      cause: row.cause,
      oldSize: row.old_size,
      newSize: row.new_size,
      at: new Date(row.at),
    });
  }
}

export function insertRequestUsage(sql: Statements, rows: readonly RequestUsage[]): void {
  for (const row of rows) {
    sql.insertRequestUsage.run(
      row.accountId, row.bucket, row.requestClass, row.status, row.at.getTime(), row.requests, row.bytesIn, row.bytesOut,
    );
  }
}

/** Sums per (bucket, class, status) of the rows in the window, aggregated while the range scan streams. */
export function totalRequestUsage(sql: Statements, accountId: string, window: TimeWindow): RequestUsageTotal[] {
  const totals = new Map<string, { -readonly [K in keyof RequestUsageTotal]: RequestUsageTotal[K] }>();
  const rows = sql.requestUsageInWindow.iterate(accountId, window.from.getTime(), window.to.getTime()) as Iterable<RequestUsageRow>;
  for (const row of rows) {
    const groupKey = JSON.stringify([row.bucket, row.request_class, row.status]);
    const total = totals.get(groupKey);
    if (total) {
      total.requests += row.requests;
      total.bytesIn += row.bytes_in;
      total.bytesOut += row.bytes_out;
    } else {
      totals.set(groupKey, {
        bucket: row.bucket, requestClass: row.request_class, status: row.status,
        requests: row.requests, bytesIn: row.bytes_in, bytesOut: row.bytes_out,
      });
    }
  }
  return [...totals.values()].sort((a, b) => compare(a.bucket, b.bucket) || compare(a.requestClass, b.requestClass) || a.status - b.status);
}

export function listSmallObjectPrefixes(sql: Statements, query: SmallObjectQuery): SmallObjectPrefix[] {
  if (!(query.limit > 0)) return []; // SQLite reads a negative LIMIT as "no limit"
  const limit = Math.floor(query.limit);
  const rows = query.accountId === undefined
    ? sql.smallObjectPrefixes.all(query.belowBytes, limit)
    : sql.smallObjectPrefixesOfAccount.all(query.accountId, query.belowBytes, limit);
  return (rows as SmallObjectPrefixRow[]).map((row) => ({
    accountId: row.account_id, bucket: row.bucket, prefix: row.prefix, objects: row.objects, bytes: row.bytes,
  }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
