import type { Sql } from './postgres-db.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import type {
  RequestClass, RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageCause, StorageEvent,
  StorageItem, TimeWindow,
} from './usage-types.ts';

/**
 * The PostgreSQL side of the billing ledger (tables `storage_ledger` and `request_usage`). Sizes,
 * times and counters are bigint columns read back as exact JS numbers (postgres-db.ts refuses
 * any past 2^53); byte-milliseconds are never stored, the invoice computes them in BigInt.
 */
export const LEDGER_SQL = {
  insertStorageEvent: `INSERT INTO storage_ledger
    (account_id, bucket, key, item, upload_id, part_number, cause, old_size, new_size, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  storageEventsBefore: 'SELECT * FROM storage_ledger WHERE account_id = $1 AND at < $2 ORDER BY at, id',
  insertRequestUsage: `INSERT INTO request_usage
    (account_id, bucket, request_class, status, at, requests, bytes_in, bytes_out)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
  requestUsageInWindow: `SELECT bucket, request_class, status,
      sum(requests)::bigint AS requests, sum(bytes_in)::numeric AS bytes_in, sum(bytes_out)::numeric AS bytes_out
    FROM request_usage WHERE account_id = $1 AND at >= $2 AND at < $3
    GROUP BY bucket, request_class, status ORDER BY bucket, request_class, status`,
  // The key up to its last '/' ('' without one).
  smallObjectPrefixes: `SELECT b.account_id, b.name AS bucket, coalesce(substring(o.key from '^(.*/)'), '') AS prefix,
      count(*) AS objects, sum(o.size)::numeric AS bytes
    FROM buckets b JOIN objects o ON o.bucket_id = b.id
    WHERE ($1::text IS NULL OR b.account_id = $1) AND o.size < $2
    GROUP BY b.id, b.account_id, b.name, prefix ORDER BY objects DESC, bucket, prefix LIMIT $3`,
} as const;

/** Rows fetched at a time while events stream to the visitor. */
const EVENT_BATCH = 1000;

interface StorageEventRow {
  account_id: string; bucket: string; key: string; item: StorageItem; upload_id: string | null;
  part_number: number | null; cause: StorageCause; old_size: number | null; new_size: number | null; at: number;
}

/** Appends one storage event for `bucket` (its owner is billed). A change that changes nothing is not recorded. */
export async function appendStorageEvent(
  sql: Sql, bucket: { readonly account_id: string; readonly name: string }, change: LedgerChange, at: Date,
): Promise<void> {
  if (change.oldSize === null && change.newSize === null) return;
  await sql.run(LEDGER_SQL.insertStorageEvent, [
    bucket.account_id, bucket.name, change.key, change.item, change.uploadId ?? null, change.partNumber ?? null,
    change.cause, change.oldSize, change.newSize, at.getTime(),
  ]);
}

/**
 * Streams the account's events before `before`, oldest first, through a cursor a batch at a time
 * (never the whole history in memory). Runs inside a read transaction (the cursor lives in it).
 */
export async function visitStorageEvents(sql: Sql, accountId: string, before: Date, visit: (event: StorageEvent) => void): Promise<void> {
  await sql.raw(`DECLARE storage_events NO SCROLL CURSOR FOR SELECT * FROM storage_ledger
    WHERE account_id = $1 AND at < $2 ORDER BY at, id`, [accountId, before.getTime()]);
  for (;;) {
    const rows = await sql.raw<StorageEventRow>(`FETCH ${EVENT_BATCH} FROM storage_events`);
    for (const row of rows) {
      visit({
        accountId: row.account_id, bucket: row.bucket, key: row.key, item: row.item, uploadId: row.upload_id,
        partNumber: row.part_number, cause: row.cause, oldSize: row.old_size, newSize: row.new_size, at: new Date(row.at),
      });
    }
    if (rows.length < EVENT_BATCH) break;
  }
  await sql.raw('CLOSE storage_events');
}

export async function insertRequestUsage(sql: Sql, rows: readonly RequestUsage[]): Promise<void> {
  await sql.run(LEDGER_SQL.insertRequestUsage, [
    rows.map((row) => row.accountId), rows.map((row) => row.bucket), rows.map((row) => row.requestClass),
    rows.map((row) => row.status), rows.map((row) => row.at.getTime()), rows.map((row) => row.requests),
    rows.map((row) => row.bytesIn), rows.map((row) => row.bytesOut),
  ]);
}

interface RequestUsageRow {
  bucket: string; request_class: RequestClass; status: number; requests: number; bytes_in: number; bytes_out: number;
}

/** Sums per (bucket, class, status), in the SQLite store's order. */
export async function totalRequestUsage(sql: Sql, accountId: string, window: TimeWindow): Promise<RequestUsageTotal[]> {
  const rows = await sql.rows<RequestUsageRow>(LEDGER_SQL.requestUsageInWindow, [accountId, window.from.getTime(), window.to.getTime()]);
  return rows
    .map((row) => ({
      bucket: row.bucket, requestClass: row.request_class, status: row.status,
      requests: row.requests, bytesIn: row.bytes_in, bytesOut: row.bytes_out,
    }))
    .sort((a, b) => compare(a.bucket, b.bucket) || compare(a.requestClass, b.requestClass) || a.status - b.status);
}

interface SmallObjectPrefixRow { account_id: string; bucket: string; prefix: string; objects: number; bytes: number }

export async function listSmallObjectPrefixes(sql: Sql, query: SmallObjectQuery): Promise<SmallObjectPrefix[]> {
  if (!(query.limit > 0)) return [];
  const rows = await sql.rows<SmallObjectPrefixRow>(LEDGER_SQL.smallObjectPrefixes, [query.accountId ?? null, query.belowBytes, Math.floor(query.limit)]);
  return rows.map((row) => ({ accountId: row.account_id, bucket: row.bucket, prefix: row.prefix, objects: row.objects, bytes: row.bytes }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
