/**
 * A seeded sweep of per-stripe degradation against a real cluster (k=4, m=2, 1 KiB chunks, one
 * 24-stripe segment): each case flips bytes in random chunks — at most m bad chunks per stripe,
 * sometimes with one shard file missing on top (its stripes then have at most m−1 bad chunks), so
 * both the healthy path's stripe rebuild and the decode path are exercised — reads the whole
 * object and random ranges, then undoes the damage. Invariant: every read is byte-identical.
 */
import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mulberry32 } from '../src/testing/seeded-random.ts';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';

const CHUNK = 1024;
const K = 4;
const M = 2;
const STRIPES = 24;
const SIZE = STRIPES * K * CHUNK - 300;
const CASES = 24;

function flip(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0x5a;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}

test('any damage leaving k good chunks in every stripe reads back byte-identical (seeded sweep)', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, dataShards: K, parityShards: M });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(SIZE, 3);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'obj', Body: body }));
  const shardFile = new Map([...cluster.allShardFiles()].map((file) => [Number(file.split('.').pop()), file]));
  t.is(shardFile.size, K + M);

  for (let seed = 1; seed <= CASES; seed++) {
    const random = mulberry32(seed);
    const missing = random() < 0.4 ? Math.floor(random() * (K + M)) : null;
    const flipped: [string, number][] = [];
    for (let stripe = 0; stripe < STRIPES; stripe++) {
      const budget = M - (missing === null ? 0 : 1);
      const bad = Math.floor(random() * (budget + 1) * (random() < 0.5 ? 1 : 0));
      const candidates = [...shardFile.keys()].filter((shardIndex) => shardIndex !== missing).sort(() => random() - 0.5).slice(0, bad);
      for (const shardIndex of candidates) flipped.push([shardFile.get(shardIndex)!, stripe * CHUNK + Math.floor(random() * CHUNK)]);
    }
    for (const [file, offset] of flipped) flip(file, offset);
    if (missing !== null) renameSync(shardFile.get(missing)!, `${shardFile.get(missing)!}.away`);
    try {
      const label = `seed ${seed}: ${flipped.length} bad chunks${missing === null ? '' : `, shard ${missing} missing`}`;
      t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'obj' })).equals(body), `${label}, whole object`);
      for (let i = 0; i < 4; i++) {
        const start = Math.floor(random() * SIZE);
        const end = Math.min(SIZE - 1, start + Math.floor(random() * 6 * K * CHUNK));
        const bytes = await getObjectBytes(s3, { Bucket: 'bkt', Key: 'obj', Range: `bytes=${start}-${end}` });
        t.true(bytes.equals(body.subarray(start, end + 1)), `${label}, bytes=${start}-${end}`);
      }
    } finally {
      if (missing !== null) renameSync(`${shardFile.get(missing)!}.away`, shardFile.get(missing)!);
      for (const [file, offset] of flipped) flip(file, offset);
    }
  }
  const metrics = await cluster.metrics();
  t.true(metrics.corruptChunks! > 0);
  t.is(metrics.unreadableSegments, 0);
});
