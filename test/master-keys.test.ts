import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ensureMasterKeyFile, readMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { getObjectBytes, seededBytes, startCluster, type TestCluster } from './cluster.ts';
import { openGatewayStore, shardFileDigests } from './encryption-helpers.ts';

async function restartGateway(cluster: TestCluster): Promise<void> {
  await cluster.kill(cluster.gateway);
  await cluster.startGateway();
  await cluster.waitForOnlineNodes(cluster.nodeCount);
}

async function segmentKeyCounts(cluster: TestCluster): Promise<Record<string, number>> {
  const store = openGatewayStore(cluster);
  try {
    return await store.countSegmentKeys();
  } finally {
    await store.close();
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('rotation: objects under key 1 and key 2 read after restarts; rewrap moves every data key to key 2 without touching a shard byte', async (t) => {
  const cluster = await startCluster(t, { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 4096 });
  const s3 = () => cluster.s3();
  await s3().send(new CreateBucketCommand({ Bucket: 'keys' }));
  const first = seededBytes(70_000, 1);
  await s3().send(new PutObjectCommand({ Bucket: 'keys', Key: 'first', Body: first }));

  const rotated = await cluster.runCli(['keys', 'rotate-master', '--master-key-file', cluster.masterKeyFile]);
  t.is(rotated.code, 0, rotated.stderr);
  const keys = readMasterKeyFile(cluster.masterKeyFile);
  t.deepEqual(keys.map((entry) => entry.id), ['mk1', 'mk2']);
  t.regex(rotated.stdout, /added master key mk2/);
  for (const entry of keys) t.false(rotated.stdout.includes(entry.key.toString('base64')), 'no key is printed');

  await restartGateway(cluster);
  const second = seededBytes(50_000, 2);
  await s3().send(new PutObjectCommand({ Bucket: 'keys', Key: 'second', Body: second }));
  t.deepEqual(await segmentKeyCounts(cluster), { mk1: 1, mk2: 1 }, 'new writes use the newest key');

  await restartGateway(cluster);
  t.true((await getObjectBytes(s3(), { Bucket: 'keys', Key: 'first' })).equals(first));
  t.true((await getObjectBytes(s3(), { Bucket: 'keys', Key: 'second' })).equals(second));

  const before = shardFileDigests(cluster, sha256);
  t.is(before.size, 6);
  const rewrapped = await cluster.runCli(['keys', 'rewrap-master', '--master-key-file', cluster.masterKeyFile, '--data-dir', path.join(cluster.root, 'gateway')]);
  t.is(rewrapped.code, 0, rewrapped.stderr);
  t.regex(rewrapped.stdout, /1 data keys wrapped by mk1 to rewrap with mk2/);
  t.regex(rewrapped.stdout, /^ {2}1 \/ 1$/m);
  t.deepEqual(await segmentKeyCounts(cluster), { mk2: 2 });
  t.deepEqual(shardFileDigests(cluster, sha256), before, 'shard files are byte-identical');
  t.true((await getObjectBytes(s3(), { Bucket: 'keys', Key: 'first' })).equals(first), 'the running gateway reads the rewrapped key');
  await restartGateway(cluster);
  t.true((await getObjectBytes(s3(), { Bucket: 'keys', Key: 'first' })).equals(first));
  t.true((await getObjectBytes(s3(), { Bucket: 'keys', Key: 'second' })).equals(second));

  // A second run has nothing left to do.
  const again = await cluster.runCli(['keys', 'rewrap-master', '--master-key-file', cluster.masterKeyFile, '--data-dir', path.join(cluster.root, 'gateway')]);
  t.regex(again.stdout, /^0 data keys/);
});

test('a missing, malformed or wrong master key file stops the gateway with one line naming the file', async (t) => {
  const cluster = await startCluster(t, { nodes: 3, dataShards: 2, parityShards: 1 });
  await cluster.s3().send(new CreateBucketCommand({ Bucket: 'keys' }));
  await cluster.s3().send(new PutObjectCommand({ Bucket: 'keys', Key: 'k', Body: 'x' }));
  const gateway = (keyArgs: string[]) => cluster.runCli(['gateway', '--port', '0', '--data-dir', path.join(cluster.root, 'gateway'), ...keyArgs]);
  const refusals: Array<[string[], RegExp]> = [];
  refusals.push([[], /^shardgate gateway: --master-key-file \(or SHARDGATE_MASTER_KEY_FILE\) is required\n$/]);
  const missing = path.join(cluster.root, 'missing.key');
  refusals.push([['--master-key-file', missing], /^shardgate gateway: master key file \S*missing\.key: cannot be read \(ENOENT\)\n$/]);
  const malformed = path.join(cluster.root, 'malformed.key');
  writeFileSync(malformed, 'mk1 not-a-key\n');
  refusals.push([['--master-key-file', malformed], /^shardgate gateway: master key file \S*malformed\.key: line 1: key mk1 is not 32 bytes of base64\n$/]);
  const other = path.join(cluster.root, 'other.key');
  ensureMasterKeyFile(other);
  refusals.push([['--master-key-file', other], /^shardgate gateway: master key file \S*other\.key: key mk1 is not the key this metadata was written with\n$/]);
  const inside = path.join(cluster.root, 'gateway', 'master.key');
  refusals.push([['--master-key-file', inside], /^shardgate gateway: master key file \S*gateway\/master\.key is inside --data-dir/]);
  for (const [args, expected] of refusals) {
    const result = await gateway(args);
    t.is(result.code, args[1] === inside ? 2 : 1, result.stderr); // 2: a flag refused while parsing
    t.regex(result.stderr, expected);
  }
  t.false(cluster.gateway.output().includes(readMasterKeyFile(cluster.masterKeyFile)[0]!.key.toString('base64')), 'the key is never logged');
});
