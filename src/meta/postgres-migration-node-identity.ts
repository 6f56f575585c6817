/**
 * PostgreSQL schema step: node identity and operators, SQLite's NODE_IDENTITY_MIGRATION
 * (sqlite-migration-node-identity.ts explains the tables) in PostgreSQL terms. An entry of
 * POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_NODE_IDENTITY_MIGRATION = `
  CREATE TABLE operators (
    id         text COLLATE "C" PRIMARY KEY,
    name       text COLLATE "C" NOT NULL UNIQUE,
    created_at bigint NOT NULL
  );

  CREATE TABLE join_tokens (
    id          text COLLATE "C" PRIMARY KEY,
    operator_id text COLLATE "C" NOT NULL REFERENCES operators (id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  bigint NOT NULL,
    revoked_at  bigint
  );
  CREATE INDEX join_tokens_by_operator ON join_tokens (operator_id, created_at);

  ALTER TABLE nodes ADD COLUMN operator_id text COLLATE "C" REFERENCES operators (id);
  ALTER TABLE nodes ADD COLUMN public_key text;
  ALTER TABLE nodes ADD COLUMN secret text;
  ALTER TABLE nodes ADD COLUMN secret_epoch integer NOT NULL DEFAULT 0;
  ALTER TABLE nodes ADD COLUMN last_signed_at bigint NOT NULL DEFAULT 0;

  CREATE TABLE node_tombstones (
    node_id       text COLLATE "C" PRIMARY KEY,
    reason        text NOT NULL,
    tombstoned_at bigint NOT NULL
  );
`;
