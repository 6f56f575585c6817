import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import type { ErasureProfile } from '../erasure/profile.ts';
import type { MetaStore } from './store.ts';
import { shardId } from './types.ts';
import type { Account, Bucket, NewObjectVersion, ObjectVersion, SegmentEncryption, SegmentRecord } from './types.ts';
export { mulberry32 } from '../testing/seeded-random.ts';

/** Builders shared by the MetaStore contract suite's files. */

/** Options a backend's factory honours in the contract suite: the clock the store stamps times with. */
export interface StoreTestOptions {
  readonly now?: () => Date;
}

export type MakeStore = (options?: StoreTestOptions) => Promise<MetaStore>;

export const PROFILE: ErasureProfile = { dataShards: 4, parityShards: 2, chunkSize: 64 * 1024 };
export const NODE_IDS = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'node-g'] as const;

/** A fresh store for one test, closed when the test ends. */
export async function openStore(t: ExecutionContext, makeStore: MakeStore): Promise<MetaStore> {
  const store = await makeStore();
  t.teardown(() => store.close());
  return store;
}

export async function createAccountAndBucket(
  store: MetaStore, bucketName = 'bucket', accountName = `owner-of-${bucketName}`,
): Promise<{ account: Account; bucket: Bucket }> {
  const account = await store.createAccount(accountName);
  const bucket: Bucket = { name: bucketName, accountId: account.id, createdAt: new Date(1_700_000_000_123), profile: PROFILE, acl: 'private', policy: null, hasLifecycle: false };
  await store.createBucket(bucket);
  return { account, bucket };
}

export function hexId(): string {
  return randomBytes(16).toString('hex');
}

/** 32 recognisable bytes per (segment, shard). */
export function rootFor(segmentIndex: number, shardIndex: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (segmentIndex * 31 + shardIndex * 7 + i) & 0xff);
}

/**
 * Contiguous segments covering `size` bytes, `segmentLength` each (the last shorter), all n shards
 * placed round-robin on NODE_IDS except those listed in `missing` ("segmentIndex.shardIndex").
 */
export function makeSegments(size: number, segmentLength: number, missing: readonly string[] = []): SegmentRecord[] {
  const segments: SegmentRecord[] = [];
  const shardCount = PROFILE.dataShards + PROFILE.parityShards;
  for (let index = 0, offset = 0; offset < size; index += 1, offset += segmentLength) {
    const shards = Array.from({ length: shardCount }, (_, shardIndex) => ({
      shardIndex,
      nodeId: NODE_IDS[(index + shardIndex) % NODE_IDS.length]!,
      root: rootFor(index, shardIndex),
    })).filter((shard) => !missing.includes(`${index}.${shard.shardIndex}`));
    segments.push({
      id: hexId(), partNumber: 1, index, offset, length: Math.min(segmentLength, size - offset), profile: PROFILE, shards,
      encryption: encryptionFor(index),
    });
  }
  return segments;
}

/** A recognisable (made-up) wrapped key per segment: the store keeps it as opaque bytes. */
export function encryptionFor(segmentIndex: number): SegmentEncryption {
  return {
    keyId: `mk${segmentIndex % 3 + 1}`,
    wrappedKey: Uint8Array.from({ length: 60 }, (_, i) => (segmentIndex * 13 + i) & 0xff),
    iv: Uint8Array.from({ length: 16 }, (_, i) => (segmentIndex * 5 + i * 3) & 0xff),
  };
}

export interface VersionOptions {
  readonly size?: number;
  readonly segments?: readonly SegmentRecord[];
  readonly etag?: string;
  readonly createdAt?: Date;
  readonly userMetadata?: Record<string, string>;
  readonly checksums?: Record<string, string>;
  readonly writeId?: string;
}

export function newVersion(bucket: string, key: string, options: VersionOptions = {}): NewObjectVersion {
  const segments = options.segments ?? [];
  const size = options.size ?? segments.reduce((total, segment) => total + segment.length, 0);
  return {
    object: {
      bucket,
      key,
      versionId: hexId(),
      size,
      etag: options.etag ?? '"d41d8cd98f00b204e9800998ecf8427e"',
      contentType: 'application/octet-stream',
      userMetadata: options.userMetadata ?? {},
      checksums: options.checksums ?? {},
      encryption: { mode: 'sse-s3' },
      createdAt: options.createdAt ?? new Date(1_700_000_100_000),
    },
    segments,
    writeId: options.writeId ?? hexId(),
  };
}

/** The placements of a version as "shardId@nodeId", sorted: what its garbage must be. */
export function placementsOf(segments: readonly SegmentRecord[]): string[] {
  return segments.flatMap((segment) => segment.shards.map((shard) => `${shardId(segment.id, shard.shardIndex)}@${shard.nodeId}`)).sort();
}

/** Registers every shard of the version as pending under its write, as the write path does. */
export async function addPendingFor(store: MetaStore, version: NewObjectVersion, at = new Date(1_700_000_050_000)): Promise<void> {
  for (const segment of version.segments) {
    await store.addPendingShards(
      version.writeId, segment.shards.map((shard) => ({ shardId: shardId(segment.id, shard.shardIndex), nodeId: shard.nodeId })), at,
    );
  }
}

/** The write path in one call: pending shards, then the commit. */
export async function commitWithPending(store: MetaStore, version: NewObjectVersion): Promise<ObjectVersion | null> {
  await addPendingFor(store, version);
  return store.commitObject(version);
}

/** Every garbage entry as "shardId@nodeId", sorted. */
export async function garbageOf(store: MetaStore): Promise<string[]> {
  return (await store.listGarbage(100_000)).map((item) => `${item.shardId}@${item.nodeId}`).sort();
}

/** The version a store returns for a committed NewObjectVersion. */
export function committed(version: NewObjectVersion): ObjectVersion {
  const { object } = version;
  return {
    ...object, contentHeaders: object.contentHeaders ?? {}, encryption: object.encryption ?? null, tags: object.tags ?? [], acl: object.acl ?? 'private',
    createdAt: object.createdAt ?? new Date(0),
  };
}

export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
