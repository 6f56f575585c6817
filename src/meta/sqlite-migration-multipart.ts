/**
 * Schema step: shared, reference-counted segments; multipart uploads and their parts; the part
 * lists of completed multipart objects. An entry of MIGRATIONS (sqlite-migrations.ts): never edit
 * it once released, add a new one.
 *
 * Segments leave `objects`: a segment row holds the data (length, profile; shards cascade) and
 * `ref_count`, the number of rows in `object_segments` and `part_segments` that name it. Every
 * transaction that drops references ends by sweeping the segments left at 0 (a partial index
 * finds them): their shards go to the garbage queue, the rows go. A copy adds references instead
 * of bytes, and deleting either side keeps the other intact.
 *
 * `object_segments` and `object_parts` reference `objects` with DEFERRABLE INITIALLY DEFERRED
 * keys and no cascade: the store deletes them itself (after releasing the references), and a copy
 * onto the same key moves them to the new version's row within one transaction.
 *
 * Existing data: every segment becomes one row of `segments` (ref_count 1, same ids, so shards
 * keep their rows) and one row of `object_segments`.
 */
export const MULTIPART_MIGRATION = `
  ALTER TABLE segments RENAME TO segments_v1;
  ALTER TABLE shards RENAME TO shards_v1;

  CREATE TABLE segments (
    id            INTEGER PRIMARY KEY,
    segment_id    TEXT NOT NULL UNIQUE,
    data_length   INTEGER NOT NULL,
    data_shards   INTEGER NOT NULL,
    parity_shards INTEGER NOT NULL,
    chunk_size    INTEGER NOT NULL,
    ref_count     INTEGER NOT NULL CHECK (ref_count >= 0)
  );
  CREATE INDEX segments_unreferenced ON segments (id) WHERE ref_count = 0;

  CREATE TABLE shards (
    segment_ref INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    shard_index INTEGER NOT NULL,
    node_id     TEXT NOT NULL,
    root        BLOB NOT NULL,
    PRIMARY KEY (segment_ref, shard_index)
  ) WITHOUT ROWID;

  CREATE TABLE object_segments (
    object_id     INTEGER NOT NULL REFERENCES objects (id) DEFERRABLE INITIALLY DEFERRED,
    segment_index INTEGER NOT NULL,
    segment_ref   INTEGER NOT NULL REFERENCES segments (id),
    part_number   INTEGER NOT NULL,
    object_offset INTEGER NOT NULL,
    PRIMARY KEY (object_id, segment_index)
  ) WITHOUT ROWID;
  CREATE INDEX object_segments_by_offset ON object_segments (object_id, object_offset, segment_index);
  CREATE INDEX object_segments_by_segment ON object_segments (segment_ref, object_id);

  INSERT INTO segments (id, segment_id, data_length, data_shards, parity_shards, chunk_size, ref_count)
    SELECT id, segment_id, data_length, data_shards, parity_shards, chunk_size, 1 FROM segments_v1;
  INSERT INTO shards (segment_ref, shard_index, node_id, root)
    SELECT segment_ref, shard_index, node_id, root FROM shards_v1;
  INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT object_id, segment_index, id, part_number, object_offset FROM segments_v1;
  DROP TABLE shards_v1;
  DROP TABLE segments_v1;

  -- The parts of a completed multipart object, for GetObject/HeadObject ?partNumber.
  CREATE TABLE object_parts (
    object_id     INTEGER NOT NULL REFERENCES objects (id) DEFERRABLE INITIALLY DEFERRED,
    part_number   INTEGER NOT NULL,
    object_offset INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    checksums     TEXT NOT NULL,
    PRIMARY KEY (object_id, part_number)
  ) WITHOUT ROWID;

  -- Upload ids start with the start time, so (bucket_id, key, upload_id) is also start order.
  CREATE TABLE multipart_uploads (
    id                   INTEGER PRIMARY KEY,
    upload_id            TEXT NOT NULL UNIQUE,
    bucket_id            INTEGER NOT NULL REFERENCES buckets (id),
    key                  TEXT NOT NULL,
    initiator_account_id TEXT NOT NULL,
    initiated_at         INTEGER NOT NULL,
    headers              TEXT NOT NULL,
    checksum_algorithm   TEXT,
    checksum_type        TEXT
  );
  CREATE UNIQUE INDEX multipart_uploads_by_key ON multipart_uploads (bucket_id, key, upload_id);

  CREATE TABLE upload_parts (
    upload_ref    INTEGER NOT NULL REFERENCES multipart_uploads (id) ON DELETE CASCADE,
    part_number   INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    checksums     TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (upload_ref, part_number)
  ) WITHOUT ROWID;

  CREATE TABLE part_segments (
    upload_ref    INTEGER NOT NULL,
    part_number   INTEGER NOT NULL,
    segment_index INTEGER NOT NULL,
    segment_ref   INTEGER NOT NULL REFERENCES segments (id),
    part_offset   INTEGER NOT NULL,
    PRIMARY KEY (upload_ref, part_number, segment_index),
    FOREIGN KEY (upload_ref, part_number) REFERENCES upload_parts (upload_ref, part_number) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX part_segments_by_segment ON part_segments (segment_ref, upload_ref);
`;
