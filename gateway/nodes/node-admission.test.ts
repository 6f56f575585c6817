import test from 'ava';
import type { KeyObject } from 'node:crypto';
import { SqliteMetaStore } from '../../src/meta/sqlite-store.ts';
import {
  SIGNED_AT_WINDOW_MS, generateNodeKeyPair, heartbeatMessage, publicKeyOf, registrationMessage, signWithNodeKey,
} from '../../src/node-protocol/node-key.ts';
import type { NodeHeartbeatRequest, NodeRegisterRequest } from '../../src/node-protocol/routes.ts';
import { admitRegistration, checkHeartbeat } from './node-admission.ts';
import { ensureDefaultJoinToken } from './join-tokens.ts';
import { NodeRegistry } from './registry.ts';

const NOW = new Date(1_800_000_000_000);
const NODE_ID = 'ab'.repeat(16);
const TOKEN = 'the-join-token';

function registration(key: KeyObject, overrides: Partial<NodeRegisterRequest> = {}): NodeRegisterRequest {
  const fields = { nodeId: NODE_ID, url: 'http://10.0.0.1:9100', zone: 'z1', publicKey: publicKeyOf(key), signedAtMs: NOW.getTime(), ...overrides };
  return {
    capacityBytes: 100, freeBytes: 50, joinToken: TOKEN, ...fields,
    signature: overrides.signature ?? signWithNodeKey(key, registrationMessage(fields)),
  };
}

function heartbeat(key: KeyObject, overrides: Partial<NodeHeartbeatRequest> = {}): NodeHeartbeatRequest {
  const fields = { nodeId: NODE_ID, url: 'http://10.0.0.1:9100', freeBytes: 40, capacityBytes: 100, signedAtMs: NOW.getTime() + 1, ...overrides };
  return { ...fields, signature: overrides.signature ?? signWithNodeKey(key, heartbeatMessage(fields)) };
}

async function openStore(t: { teardown(fn: () => unknown): void }) {
  const store = SqliteMetaStore.open(':memory:', { now: () => NOW });
  t.teardown(() => store.close());
  await ensureDefaultJoinToken(store, TOKEN, NOW);
  return store;
}

test('a new identity needs a valid join token; its key, operator and a first secret are bound', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  const refused = await admitRegistration(store, registration(key, { joinToken: 'wrong' }), NOW);
  t.like(refused, { admitted: false, status: 403, refusal: { error: 'JOIN_TOKEN_INVALID' } });
  t.like(await admitRegistration(store, registration(key, { joinToken: null }), NOW), { admitted: false, refusal: { error: 'JOIN_TOKEN_INVALID' } });
  const admitted = await admitRegistration(store, registration(key), NOW);
  if (!admitted.admitted) return t.fail(JSON.stringify(admitted));
  const operator = await store.getOperatorByName('default');
  t.like(admitted.record, { id: NODE_ID, publicKey: publicKeyOf(key), operatorId: operator!.id, secretEpoch: 1, lastSignedAtMs: NOW.getTime() });
  t.regex(admitted.record.secret!, /^[0-9a-f]{64}$/);
});

test('an existing id is bound to its key: another key is refused with no secret, even with the join token', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  const first = await admitRegistration(store, registration(key), NOW);
  if (!first.admitted) return t.fail();
  await store.upsertNode(first.record);
  const impostor = await admitRegistration(store, registration(generateNodeKeyPair(), { url: 'http://10.6.6.6:9100', signedAtMs: NOW.getTime() + 5 }), NOW);
  t.deepEqual(impostor, {
    admitted: false, status: 403, refusal: { error: 'IDENTITY_MISMATCH', message: 'this node id is registered with another key' },
  });
  t.false(JSON.stringify(impostor).includes(first.record.secret!));
  // A key that signs a registration claiming another key's public half fails the signature.
  const forged = registration(generateNodeKeyPair(), { publicKey: publicKeyOf(key), signedAtMs: NOW.getTime() + 6 });
  t.like(await admitRegistration(store, forged, NOW), { admitted: false, refusal: { error: 'SIGNATURE_INVALID' } });
});

test('the real key moves the URL and rotates the secret, without a join token; a replay is refused', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  const first = await admitRegistration(store, registration(key), NOW);
  if (!first.admitted) return t.fail();
  await store.upsertNode(first.record);
  await store.revokeJoinToken('default', NOW);
  const moved = await admitRegistration(store, registration(key, { url: 'http://10.0.0.1:9200', signedAtMs: NOW.getTime() + 1000, joinToken: null }), NOW);
  if (!moved.admitted) return t.fail(JSON.stringify(moved));
  t.like(moved.record, { url: 'http://10.0.0.1:9200', secretEpoch: 2, operatorId: first.record.operatorId, registeredAt: first.record.registeredAt });
  t.not(moved.record.secret, first.record.secret);
  await store.upsertNode(moved.record);
  const replay = await admitRegistration(store, registration(key, { url: 'http://10.0.0.1:9200', signedAtMs: NOW.getTime() + 1000 }), NOW);
  t.like(replay, { admitted: false, refusal: { error: 'SIGNED_AT_STALE', gatewayTimeMs: NOW.getTime() + 1001 } });
});

test('registrations signed far from the gateway clock are refused with the gateway time', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  for (const offset of [SIGNED_AT_WINDOW_MS + 1, -SIGNED_AT_WINDOW_MS - 1]) {
    t.like(await admitRegistration(store, registration(key, { signedAtMs: NOW.getTime() + offset }), NOW), {
      admitted: false, refusal: { error: 'SIGNED_AT_STALE', gatewayTimeMs: NOW.getTime() },
    });
  }
});

test('a tombstoned id never registers again, whatever it presents', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  const first = await admitRegistration(store, registration(key), NOW);
  if (!first.admitted) return t.fail();
  await store.upsertNode(first.record);
  await store.tombstoneNode(NODE_ID, 'disqualified', NOW);
  t.like(await admitRegistration(store, registration(key, { signedAtMs: NOW.getTime() + 10 }), NOW), { admitted: false, refusal: { error: 'NODE_TOMBSTONED' } });
  await store.tombstoneNode('cd'.repeat(16), 'forgotten', NOW);
  const fresh = registration(generateNodeKeyPair(), { nodeId: 'cd'.repeat(16) });
  t.like(await admitRegistration(store, fresh, NOW), { admitted: false, refusal: { error: 'NODE_TOMBSTONED' } });
});

test('a node stored before node keys binds the key of its next registration with a valid token', async (t) => {
  const store = await openStore(t);
  await store.upsertNode({
    id: NODE_ID, url: 'http://10.0.0.1:9100', zone: 'z1', capacityBytes: 1, freeBytes: 1, registeredAt: NOW, lastHeartbeatAt: NOW,
    operatorId: null, publicKey: null, secret: null, secretEpoch: 0, lastSignedAtMs: 0,
  });
  const key = generateNodeKeyPair();
  t.like(await admitRegistration(store, registration(key, { joinToken: 'wrong' }), NOW), { admitted: false, refusal: { error: 'JOIN_TOKEN_INVALID' } });
  t.like(await admitRegistration(store, registration(key), NOW), { admitted: true, keyBoundNow: true, record: { secretEpoch: 1 } });
});

test('heartbeats count only when signed by the node key, for its URL, fresh and newer than the last', async (t) => {
  const store = await openStore(t);
  const key = generateNodeKeyPair();
  const admitted = await admitRegistration(store, registration(key), NOW);
  if (!admitted.admitted) return t.fail();
  const { record } = admitted;
  t.is(checkHeartbeat(record, 0, heartbeat(key), NOW), null);
  t.like(checkHeartbeat(record, 0, heartbeat(generateNodeKeyPair()), NOW), { error: 'SIGNATURE_INVALID' });
  t.like(checkHeartbeat(record, 0, { ...heartbeat(key), freeBytes: 0 }, NOW), { error: 'SIGNATURE_INVALID' }, 'the body is signed');
  t.like(checkHeartbeat(record, 0, heartbeat(key, { url: 'http://10.6.6.6:1' }), NOW), { error: 'URL_MISMATCH' });
  t.like(checkHeartbeat(record, NOW.getTime() + 1, heartbeat(key), NOW), { error: 'SIGNED_AT_STALE' }, 'a replay');
  t.like(checkHeartbeat(record, 0, heartbeat(key, { signedAtMs: NOW.getTime() - SIGNED_AT_WINDOW_MS - 1 }), NOW), { error: 'SIGNED_AT_STALE' });
});

test('the registry: loaded nodes are offline until they heartbeat; placement skips the reserve and 507s', async (t) => {
  const store = await openStore(t);
  const keys = [generateNodeKeyPair(), generateNodeKeyPair(), generateNodeKeyPair()];
  const ids = ['a1'.repeat(16), 'b2'.repeat(16), 'c3'.repeat(16)];
  for (const [i, key] of keys.entries()) {
    const admitted = await admitRegistration(store, registration(key, { nodeId: ids[i]!, url: `http://10.0.0.${i}:9100` }), NOW);
    if (!admitted.admitted) return t.fail();
    await store.upsertNode(admitted.record);
  }
  const options = { store, nodeTimeoutMs: 10_000, shardTimeoutMs: 1000, now: () => NOW, freeReserveBytes: 100, shardRoomBytes: 10, writeConnections: 4 };
  const registry = await NodeRegistry.load(options);
  t.teardown(() => registry.close());
  t.deepEqual(registry.online(), [], 'stored URLs are not trusted until a signed heartbeat');
  t.deepEqual(registry.placementCandidates(), []);
  const beat = (i: number, freeBytes: number, signedAtMs: number) =>
    registry.heartbeat(heartbeat(keys[i]!, { nodeId: ids[i]!, url: `http://10.0.0.${i}:9100`, freeBytes, signedAtMs }));
  t.is(await beat(0, 1000, NOW.getTime() + 1), null);
  t.is(await beat(1, 109, NOW.getTime() + 1), null);
  t.is(await beat(2, 110, NOW.getTime() + 1), null);
  t.deepEqual(registry.online().map((view) => view.record.id), ids);
  t.deepEqual(registry.placementCandidates().map((node) => node.id), [ids[0], ids[2]], 'below reserve + one shard: no new shards');
  registry.markOutOfStorage(ids[0]!);
  t.deepEqual(registry.placementCandidates().map((node) => node.id), [ids[2]], 'a 507 takes the node out at once');
  t.like(await beat(0, 1000, NOW.getTime() + 1), { error: 'SIGNED_AT_STALE' }, 'a replayed heartbeat changes nothing');
  t.deepEqual(registry.placementCandidates().map((node) => node.id), [ids[2]]);
  t.is(await beat(0, 1000, NOW.getTime() + 2), null);
  t.deepEqual(registry.placementCandidates().map((node) => node.id), [ids[0], ids[2]], 'back after a heartbeat with room');
  t.true(registry.placementCandidates().every((node) => node.operatorId === registry.get(node.id)!.record.operatorId));
});
