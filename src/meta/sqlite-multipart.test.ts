import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { MULTIPART_MIGRATION } from './sqlite-migration-multipart.ts';
import { MIGRATIONS, migrate } from './sqlite-migrations.ts';
import { MULTIPART_SQL } from './sqlite-multipart-statements.ts';
import { SQL } from './sqlite-statements.ts';
import { SqliteMetaStore } from './sqlite-store.ts';
import {
  commitWithPending, createAccountAndBucket, garbageOf, makeSegments, mulberry32, newVersion, placementsOf,
} from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import { shardId } from './types.ts';

const directory = mkdtempSync(join(tmpdir(), 'shardgate-multipart-'));
test.after.always(() => rmSync(directory, { recursive: true, force: true }));
const freshPath = () => join(directory, `${randomUUID()}.sqlite`);

test('sqlite: the shared-segments migration keeps existing objects readable and collectable', async (t) => {
  const path = freshPath();
  const raw = new Database(path);
  raw.pragma('foreign_keys = ON');
  const before = MIGRATIONS.indexOf(MULTIPART_MIGRATION);
  t.true(before > 0);
  migrate(raw, MIGRATIONS.slice(0, before));
  raw.prepare("INSERT INTO accounts (id, name, created_at) VALUES ('acc', 'alice', 1)").run();
  raw.prepare("INSERT INTO buckets (id, name, account_id, created_at, data_shards, parity_shards, chunk_size) VALUES (1, 'b', 'acc', 1, 4, 2, 65536)").run();
  raw.prepare(`INSERT INTO objects (id, bucket_id, key, version_id, size, etag, content_type, user_metadata, checksums, created_at)
    VALUES (7, 1, 'k', 'v1', 1500, '"e"', 'text/plain', '{}', '{}', 1)`).run();
  const segmentIds = ['a'.repeat(32), 'b'.repeat(32)];
  segmentIds.forEach((segmentId, index) => {
    raw.prepare(`INSERT INTO segments (id, segment_id, object_id, segment_index, part_number, object_offset, data_length, data_shards, parity_shards, chunk_size)
      VALUES (?, ?, 7, ?, 1, ?, ?, 4, 2, 65536)`).run(index + 10, segmentId, index, index * 1000, index === 0 ? 1000 : 500);
    for (let shardIndex = 0; shardIndex < 6; shardIndex += 1) {
      raw.prepare('INSERT INTO shards (segment_ref, shard_index, node_id, root) VALUES (?, ?, ?, ?)').run(index + 10, shardIndex, `n${shardIndex}`, Buffer.alloc(32, shardIndex));
    }
  });
  raw.close();

  const store = SqliteMetaStore.open(path);
  t.teardown(() => store.close());
  const segments = await store.getSegments('v1');
  t.deepEqual(segments.map((segment) => [segment.id, segment.index, segment.offset, segment.length, segment.shards.length]), [
    [segmentIds[0], 0, 0, 1000, 6], [segmentIds[1], 1, 1000, 500, 6],
  ]);
  t.deepEqual(Array.from(segments[1]!.shards[3]!.root), Array.from(Buffer.alloc(32, 3)));
  t.truthy(await store.deleteObject('b', 'k'));
  const expected = segmentIds.flatMap((segmentId) => Array.from({ length: 6 }, (_, shardIndex) => `${shardId(segmentId, shardIndex)}@n${shardIndex}`));
  t.deepEqual(await garbageOf(store), expected.sort());
});

test('sqlite: multipart and copy statements are index seeks; the sweep reads only unreferenced segments', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db);
  const statements: Record<string, string> = { ...MULTIPART_SQL };
  for (const name of ['releaseObjectSegments', 'garbageUnreferenced', 'deleteUnreferenced', 'segmentByPublicId', 'retainSegment'] as const) {
    statements[name] = SQL[name];
  }
  for (const [name, sql] of Object.entries(statements)) {
    const parameters = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1]!);
    const args = parameters.length > 0 ? [Object.fromEntries(parameters.map((parameter) => [parameter, 1]))] : Array.from(sql.matchAll(/\?/g), () => 1);
    const details = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail);
    const scans = details.filter((detail) => /SCAN|TEMP B-TREE/.test(detail) && !/USING (COVERING )?INDEX segments_unreferenced$/.test(detail));
    t.deepEqual(scans, [], `${name}: ${details.join(' | ')}`);
  }
});

/** Every segment's ref_count equals the rows that name it; no orphan rows. */
function checkReferences(path: string): { counted: number; stored: number; orphans: number } {
  const raw = new Database(path, { readonly: true });
  try {
    const mismatched = raw.prepare(`SELECT count(*) AS n FROM segments s WHERE s.ref_count <>
      (SELECT count(*) FROM object_segments WHERE segment_ref = s.id) + (SELECT count(*) FROM part_segments WHERE segment_ref = s.id)`).get() as { n: number };
    const stored = raw.prepare('SELECT count(*) AS n FROM segments').get() as { n: number };
    const orphans = raw.prepare(`SELECT (SELECT count(*) FROM object_segments WHERE object_id NOT IN (SELECT id FROM objects))
      + (SELECT count(*) FROM object_parts WHERE object_id NOT IN (SELECT id FROM objects)) AS n`).get() as { n: number };
    return { counted: mismatched.n, stored: stored.n, orphans: orphans.n };
  } finally {
    raw.close();
  }
}

test('sqlite: seeded sweep of puts, copies, parts, completes, aborts and deletes keeps reference counts exact', async (t) => {
  const path = freshPath();
  const store = SqliteMetaStore.open(path);
  t.teardown(() => store.close());
  await createAccountAndBucket(store);
  const random = mulberry32(0xc0ffee);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const keys = ['a', 'b', 'c', 'd'];
  const created: string[] = [];
  const uploads: string[] = [];
  const done = { copies: 0, sharedParts: 0, completes: 0 };
  for (let step = 0; step < 300; step += 1) {
    const action = random();
    const key = pick(keys);
    if (action < 0.2) {
      const version = newVersion('bucket', key, { segments: makeSegments(1 + Math.floor(random() * 3000), 1000) });
      created.push(...placementsOf(version.segments));
      await commitWithPending(store, version);
    } else if (action < 0.4) {
      const source = await store.getObject('bucket', pick(keys));
      if (source) {
        await store.copyObject({ sourceVersionId: source.versionId, object: { ...newVersion('bucket', key, { size: source.size }).object } });
        done.copies += 1;
      }
    } else if (action < 0.5) {
      await store.deleteObject('bucket', key);
    } else if (action < 0.6 || uploads.length === 0) {
      const upload = newUpload('bucket', key);
      await store.createMultipartUpload(upload);
      uploads.push(`${key}\n${upload.uploadId}`);
    } else if (action < 0.8) {
      const uploadId = pick(uploads).split('\n')[1]!;
      const source = await store.getObject('bucket', pick(keys));
      if (random() < 0.5 && source && source.size > 0) {
        const segments = (await store.getSegments(source.versionId)).map((segment, index, all) => ({
          ...segment, index, offset: all.slice(0, index).reduce((sum, previous) => sum + previous.length, 0),
        }));
        await store.commitPart({
          uploadId, segments, source: { kind: 'shared' },
          part: { partNumber: 1 + Math.floor(random() * 3), size: source.size, etag: '"s"', checksums: {}, lastModified: new Date() },
        }).then(() => { done.sharedParts += 1; }, (error: { code?: string }) => { if (error.code !== 'NO_SUCH_UPLOAD') throw error; });
      } else {
        const part = await writtenPart(store, uploadId, 1 + Math.floor(random() * 3), 1 + Math.floor(random() * 2500));
        created.push(...placementsOf(part.segments));
        await store.commitPart(part).catch(async (error: { code?: string }) => {
          if (error.code !== 'NO_SUCH_UPLOAD') throw error;
          await store.abandonWrite((part.source as { writeId: string }).writeId);
        });
      }
    } else if (action < 0.9) {
      const [uploadKey, uploadId] = pick(uploads).split('\n') as [string, string];
      const page = await store.listParts(uploadId, { after: 0, maxParts: 1000 }).catch(() => null);
      if (page && page.parts.length > 0) {
        const size = page.parts.reduce((sum, part) => sum + part.size, 0);
        await store.completeMultipartUpload({
          uploadId, object: newVersion('bucket', uploadKey, { size }).object,
          parts: page.parts.map((part) => ({ partNumber: part.partNumber, etag: part.etag })),
        });
        done.completes += 1;
      }
    } else {
      const [uploadKey, uploadId] = pick(uploads).split('\n') as [string, string];
      await store.abortMultipartUpload('bucket', uploadKey, uploadId);
    }
    if (step % 50 === 49) t.like(checkReferences(path), { counted: 0, orphans: 0 }, `step ${step}`);
  }
  for (const entry of uploads) {
    const [uploadKey, uploadId] = entry.split('\n') as [string, string];
    await store.abortMultipartUpload('bucket', uploadKey, uploadId);
  }
  for (const key of keys) await store.deleteObject('bucket', key);
  t.true(done.copies >= 20 && done.sharedParts >= 10 && done.completes >= 5, JSON.stringify(done));
  t.deepEqual(checkReferences(path), { counted: 0, stored: 0, orphans: 0 });
  t.deepEqual(await garbageOf(store), created.sort(), 'every shard ever written is garbage exactly once');
});
