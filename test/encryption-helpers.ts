/**
 * Encryption test support: scanning node data directories for byte patterns, reading the
 * gateway's metadata (data keys, for scanning), and planting a segment written in the clear
 * (as before encryption) to prove such segments stay readable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { MasterKeyRing } from '../src/crypto/segment-keys.ts';
import { ReedSolomonCodec } from '../src/erasure/codec.ts';
import { stripesToColumns } from '../src/erasure/layout.ts';
import { stripeSize, type ErasureProfile } from '../src/erasure/profile.ts';
import { hashChunks, hashListRoot } from '../src/integrity/hash-list.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { shardId, type SegmentRecord } from '../src/meta/types.ts';
import type { TestCluster } from './cluster.ts';

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** Files under every node's data directory that contain any of `needles` (as "file: needle name"). */
export function nodeFilesContaining(cluster: TestCluster, needles: ReadonlyMap<string, Uint8Array>): { hits: string[]; bytesScanned: number } {
  const hits: string[] = [];
  let bytesScanned = 0;
  for (const node of cluster.nodes) {
    for (const file of filesUnder(node.dataDir)) {
      const bytes = readFileSync(file);
      bytesScanned += bytes.length;
      for (const [name, needle] of needles) if (bytes.indexOf(needle) !== -1) hits.push(`${file}: ${name}`);
    }
  }
  return { hits, bytesScanned };
}

export function openGatewayStore(cluster: TestCluster): SqliteMetaStore {
  return SqliteMetaStore.open(path.join(cluster.root, 'gateway', 'meta.sqlite'));
}

/** The unwrapped data keys of every segment of the object (test-only: reads the key file). */
export async function dataKeysOf(cluster: TestCluster, store: SqliteMetaStore, bucket: string, key: string): Promise<Buffer[]> {
  const ring = new MasterKeyRing(readMasterKeyFile(cluster.masterKeyFile));
  const version = await store.getObject(bucket, key);
  if (!version) throw new Error(`no object ${bucket}/${key}`);
  return (await store.getSegments(version.versionId)).map((segment) => ring.open(segment.id, segment.encryption!).key);
}

/**
 * Commits `data` as object `bucket/key` the way a gateway did before encryption: plaintext
 * segments of at most `segmentBytes` (no key), each shard file and hash list written straight into
 * the data directory of the node its placement names, the metadata through the store with
 * `encryption: null`. Returns the segment ids.
 */
export async function plantPlaintextObject(
  cluster: TestCluster, store: SqliteMetaStore, profile: ErasureProfile, bucket: string, key: string, data: Buffer,
  segmentBytes = data.length,
): Promise<string[]> {
  const stripe = stripeSize(profile);
  const nodes = await store.listNodes();
  const dataDirs = new Map(cluster.nodes.map((node) => [
    (JSON.parse(readFileSync(path.join(node.dataDir, 'node.json'), 'utf8')) as { nodeId: string }).nodeId, node.dataDir,
  ]));
  const segments: SegmentRecord[] = [];
  for (let offset = 0, index = 0; offset < data.length; offset += segmentBytes, index += 1) {
    const bytes = data.subarray(offset, Math.min(data.length, offset + segmentBytes));
    const padded = Buffer.alloc(Math.ceil(bytes.length / stripe) * stripe);
    bytes.copy(padded);
    const dataColumns = stripesToColumns(profile, padded);
    const columns = [...dataColumns, ...ReedSolomonCodec.load().encode(profile, dataColumns)];
    const segmentId = randomBytes(16).toString('hex');
    const shards = columns.map((column, shardIndex) => {
      const id = shardId(segmentId, shardIndex);
      const list = hashChunks(column, profile.chunkSize);
      const nodeId = nodes[(index + shardIndex) % nodes.length]!.id;
      const dir = path.join(dataDirs.get(nodeId)!, 'shards', id.slice(0, 2));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, id), column);
      writeFileSync(path.join(dir, `${id}.hashes`), list);
      return { shardIndex, nodeId, root: hashListRoot(list) };
    });
    segments.push({ id: segmentId, partNumber: 1, index, offset, length: bytes.length, profile, shards, encryption: null });
  }
  const writeId = randomBytes(16).toString('hex');
  for (const segment of segments) {
    await store.addPendingShards(writeId, segment.shards.map((shard) => ({ shardId: shardId(segment.id, shard.shardIndex), nodeId: shard.nodeId })), new Date());
  }
  await store.commitObject({
    writeId,
    segments,
    object: {
      bucket, key, versionId: randomBytes(16).toString('hex'), size: data.length, etag: '"00000000000000000000000000000000"',
      contentType: 'application/octet-stream', userMetadata: {}, checksums: {}, encryption: null,
    },
  });
  return segments.map((segment) => segment.id);
}

/** sha256 of every committed shard file of the cluster, by path. */
export function shardFileDigests(cluster: TestCluster, digest: (bytes: Buffer) => string): Map<string, string> {
  const digests = new Map<string, string>();
  for (const file of cluster.allShardFiles()) if (statSync(file).isFile()) digests.set(file, digest(readFileSync(file)));
  return digests;
}
