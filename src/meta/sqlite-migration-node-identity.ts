/**
 * Schema step: node identity and operators. An entry of MIGRATIONS (sqlite-migrations.ts): never
 * edit it once released, add a new one.
 *
 * `operators` own join tokens; `join_tokens` keep only the SHA-256 of each token (tokens are 192
 * random bits, so a plain hash is enough to make a leaked database useless for joining). A node
 * row gains the operator whose token admitted it, its Ed25519 public key, its random request
 * secret with an epoch, and the gateway time of the last signed registration it accepted (a replay
 * must be newer). `node_tombstones` lists ids that may never register again.
 *
 * Existing nodes keep their rows with no key, no operator and no secret: the next registration
 * of such an id with a valid join token binds the key it presents (trust on first use, logged).
 */
export const NODE_IDENTITY_MIGRATION = `
  CREATE TABLE operators (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE join_tokens (
    id          TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id),
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX join_tokens_by_operator ON join_tokens (operator_id, created_at);

  ALTER TABLE nodes ADD COLUMN operator_id TEXT REFERENCES operators (id);
  ALTER TABLE nodes ADD COLUMN public_key TEXT;
  ALTER TABLE nodes ADD COLUMN secret TEXT;
  ALTER TABLE nodes ADD COLUMN secret_epoch INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE nodes ADD COLUMN last_signed_at INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE node_tombstones (
    node_id       TEXT PRIMARY KEY,
    reason        TEXT NOT NULL,
    tombstoned_at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;
