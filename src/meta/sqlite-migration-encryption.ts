/**
 * Schema step: encryption at rest (see src/crypto/). An entry of MIGRATIONS (sqlite-migrations.ts):
 * never edit it once released, add a new one.
 *
 * - `segments`: the wrapped data key, the id of the key that wrapped it and the CTR IV. All three
 *   NULL for segments written before this step, which are in the clear and stay readable. The row
 *   is deleted in the transaction that drops the segment's last reference, so the key goes with it
 *   (crypto-erase: a node that never deletes its shards keeps only ciphertext nobody can open); the
 *   store runs with `secure_delete` so the freed page is zeroed, not left in the file.
 * - `objects.encryption`: JSON (ObjectEncryption), NULL for objects written before this step.
 * - `buckets.default_encryption`: the bucket's default encryption algorithm (`AES256`), NULL when
 *   none is configured (GetBucketEncryption then answers ServerSideEncryptionConfigurationNotFoundError).
 */
export const ENCRYPTION_MIGRATION = `
  ALTER TABLE segments ADD COLUMN key_id TEXT;
  ALTER TABLE segments ADD COLUMN wrapped_key BLOB;
  ALTER TABLE segments ADD COLUMN cipher_iv BLOB;
  CREATE INDEX segments_by_key_id ON segments (key_id, id) WHERE key_id IS NOT NULL;
  ALTER TABLE objects ADD COLUMN encryption TEXT;
  ALTER TABLE buckets ADD COLUMN default_encryption TEXT;
`;
