import type { ListObjectsQuery } from './types.ts';

/**
 * The S3 listing walk, shared by every MetaStore backend: it turns a query into a few ordered index
 * seeks. Keys are ordered by their UTF-8 bytes (S3's order; SQLite's BINARY collation and
 * PostgreSQL's "C" collation). Never compare keys with `<` in JS: that is UTF-16 order, which puts
 * '😀' (U+1F600) before '\uFFFD' while UTF-8 puts it after.
 */

/** UTF-8 byte order of two keys. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The smallest string greater than every string that starts with `prefix` (the exclusive upper
 * bound of the prefix's key range), or null when no string is (empty prefix, or only U+10FFFF).
 * It increments the last code point, skipping the surrogate block (UTF-8 has no code for it),
 * dropping trailing U+10FFFF; UTF-8 preserves code point order, so the bound holds in byte order
 * and is still valid UTF-8, i.e. an ordinary TEXT parameter.
 */
export function keySuccessor(prefix: string): string | null {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

/** The common prefix `key` rolls up into: `prefix` + up to and including the first delimiter. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | null {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? null : key.slice(0, at + delimiter.length);
}

/** Where a seek starts: at `key`, or strictly after it. */
export interface SeekBound {
  readonly key: string;
  readonly inclusive: boolean;
}

/**
 * One index seek: rows of the bucket with `from <(=) key < upper` (no upper bound when null), in
 * key order, at most `limit`. The walk may stop iterating early; a lazy iterator (a database
 * cursor) then does no more work than the rows taken.
 */
export type KeySeek<Row extends { readonly key: string }> = (
  from: SeekBound, upper: string | null, limit: number,
) => Iterable<Row>;

/** The same seek for an asynchronous driver (PostgreSQL): rows arrive as the walk asks for them. */
export type AsyncKeySeek<Row extends { readonly key: string }> = (
  from: SeekBound, upper: string | null, limit: number,
) => AsyncIterable<Row>;

export interface ListingWalk<Row> {
  readonly objects: Row[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  readonly nextAfter: string | null;
}

/**
 * A page of entries after `query.after`: keys and common prefixes, together at most `maxKeys`.
 * Plain keys come in batches of one seek; a key that rolls up into a common prefix ends its batch,
 * and the next seek starts at the prefix's successor, so the keys under a prefix cost one row
 * whatever their number. Truncation is known from one row past the page.
 */
export function walkListing<Row extends { readonly key: string }>(
  query: ListObjectsQuery, seek: KeySeek<Row>,
): ListingWalk<Row> {
  const steps = listingSteps<Row>(query);
  let rows: Iterator<Row> | null = null;
  try {
    let input: Row | undefined;
    for (;;) {
      const step = steps.next(input);
      if (step.done) return step.value;
      if (step.value === NEXT_ROW) {
        const next = rows!.next();
        input = next.done ? undefined : next.value;
      } else {
        rows?.return?.();
        rows = seek(step.value.from, step.value.upper, step.value.limit)[Symbol.iterator]();
        input = undefined;
      }
    }
  } finally {
    rows?.return?.();
  }
}

/** walkListing over an asynchronous seek: the same walk, the same pages. */
export async function walkListingAsync<Row extends { readonly key: string }>(
  query: ListObjectsQuery, seek: AsyncKeySeek<Row>,
): Promise<ListingWalk<Row>> {
  const steps = listingSteps<Row>(query);
  let rows: AsyncIterator<Row> | null = null;
  try {
    let input: Row | undefined;
    for (;;) {
      const step = steps.next(input);
      if (step.done) return step.value;
      if (step.value === NEXT_ROW) {
        const next = await rows!.next();
        input = next.done ? undefined : next.value;
      } else {
        await rows?.return?.();
        rows = seek(step.value.from, step.value.upper, step.value.limit)[Symbol.asyncIterator]();
        input = undefined;
      }
    }
  } finally {
    await rows?.return?.();
  }
}

/** What the walk asks its driver for: a new seek, or the next row of the current one (undefined: none). */
const NEXT_ROW = Symbol('next row');
type WalkRequest = typeof NEXT_ROW | { readonly from: SeekBound; readonly upper: string | null; readonly limit: number };

/** The walk itself, free of I/O: it yields seeks and row requests, and returns the page. */
function* listingSteps<Row extends { readonly key: string }>(
  query: ListObjectsQuery,
): Generator<WalkRequest, ListingWalk<Row>, Row | undefined> {
  const objects: Row[] = [];
  const commonPrefixes: string[] = [];
  const maxKeys = Math.max(0, Math.floor(query.maxKeys));
  if (maxKeys === 0) return { objects, commonPrefixes, isTruncated: false, nextAfter: null };
  const prefix = query.prefix ?? '';
  const delimiter = query.delimiter ? query.delimiter : null;
  const after = query.after;
  const upper = prefix === '' ? null : keySuccessor(prefix);
  let from: SeekBound = after !== undefined && compareKeys(after, prefix) >= 0
    ? { key: after, inclusive: false }
    : { key: prefix, inclusive: true };
  let count = 0;
  let last: string | null = null;

  for (;;) {
    const limit = maxKeys - count + 1;
    let nextFrom: SeekBound | null = null;
    yield { from, upper, limit };
    for (let row = yield NEXT_ROW; row !== undefined; row = yield NEXT_ROW) {
      // Any row past a full page is a further entry: the page is truncated.
      if (count === maxKeys) return { objects, commonPrefixes, isTruncated: true, nextAfter: last };
      const commonPrefix = delimiter === null ? null : commonPrefixOf(row.key, prefix, delimiter);
      if (commonPrefix === null) {
        objects.push(row);
        count += 1;
        last = row.key;
        continue;
      }
      // Only the first seek can meet a prefix at or before `after` (`after` lies inside it).
      if (after === undefined || compareKeys(commonPrefix, after) > 0) {
        commonPrefixes.push(commonPrefix);
        count += 1;
        last = commonPrefix;
      }
      const successor = keySuccessor(commonPrefix);
      if (successor === null) return { objects, commonPrefixes, isTruncated: false, nextAfter: null };
      nextFrom = { key: successor, inclusive: true };
      break;
    }
    // Only plain keys and the seek ran dry (a full seek ends in the row past the page, above).
    if (nextFrom === null) return { objects, commonPrefixes, isTruncated: false, nextAfter: null };
    from = nextFrom;
  }
}
