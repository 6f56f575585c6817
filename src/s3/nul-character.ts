/**
 * U+0000 in a name, key or value S3 stores or looks up. PostgreSQL's `text` cannot hold it (SQLite
 * can), so the gateway refuses it at the edge on every backend alike — the same request gets the
 * same answer whichever MetaStore is behind it. Clients cannot send it in a header (HTTP forbids
 * it); it arrives percent-encoded in a path, a query or a header value, or in a request body.
 */
export function hasNulCharacter(value: string): boolean {
  return value.includes('\u0000');
}
