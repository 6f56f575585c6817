import test from 'ava';
import {
  NodeMessageError, formatNodeRange, isValidShardId, parseNodeHeartbeatRequest, parseNodeRegisterRequest,
  parseNodeRegisterResponse, shardCommitPath, shardHashesPath, shardListPath, shardPath, shardUploadPath,
} from './routes.ts';

const ID = '0123456789abcdef0123456789abcdef.12';

const validId = test.macro({
  exec: (t, id: string, valid: boolean) => t.is(isValidShardId(id), valid),
  title: (_title, id, valid) => `shard id ${JSON.stringify(id)} is ${valid ? 'valid' : 'invalid'}`,
});
test(validId, ID, true);
test(validId, '0123456789abcdef0123456789abcdef.0', true);
test(validId, '0123456789abcdef0123456789abcdef.255', true);
test(validId, '0123456789abcdef0123456789abcdef.1000', false);
test(validId, '0123456789ABCDEF0123456789abcdef.1', false);
test(validId, '0123456789abcdef0123456789abcde.1', false);
test(validId, '0123456789abcdef0123456789abcdef', false);
test(validId, '0123456789abcdef0123456789abcdef.', false);
test(validId, '0123456789abcdef0123456789abcdef.1\n', false);
test(validId, '../../etc/passwd', false);
test(validId, '0123456789abcdef0123456789abcdef.1/../x', false);
test(validId, '', false);

test('path builders', (t) => {
  t.is(shardPath(ID), `/shards/${ID}`);
  t.is(shardUploadPath(ID, 65536), `/shards/${ID}?chunkSize=65536`);
  t.is(shardCommitPath(ID), `/shards/${ID}/commit`);
  t.is(shardHashesPath(ID), `/shards/${ID}/hashes`);
  t.is(shardListPath(), '/shards');
  t.is(shardListPath({ after: ID, limit: 10 }), `/shards?after=${ID}&limit=10`);
  t.is(shardListPath({ after: null, limit: 5 }), '/shards?limit=5');
});

test('formatNodeRange turns a half-open span into an inclusive header', (t) => {
  t.is(formatNodeRange({ offset: 0, length: 1 }), 'bytes=0-0');
  t.is(formatNodeRange({ offset: 65536, length: 131072 }), 'bytes=65536-196607');
  t.throws(() => formatNodeRange({ offset: 5, length: 0 }), { instanceOf: RangeError });
});

test('message parsers accept the documented shapes and reject others', (t) => {
  const register = {
    nodeId: 'n1', url: 'http://10.0.0.1:9100', zone: 'a', capacityBytes: 10, freeBytes: 5, joinToken: 'tok',
    publicKey: 'k'.repeat(43), signedAtMs: 1_700_000_000_000, signature: 's'.repeat(86),
  };
  t.deepEqual(parseNodeRegisterRequest({ ...register, extra: true }), register);
  t.deepEqual(parseNodeRegisterRequest({ ...register, joinToken: undefined }), { ...register, joinToken: null });
  t.throws(() => parseNodeRegisterRequest({ ...register, signature: undefined }), { instanceOf: NodeMessageError });
  t.throws(() => parseNodeRegisterRequest({ ...register, url: 'http://10.0.0.1:9100/x' }), { instanceOf: NodeMessageError });
  t.throws(() => parseNodeRegisterRequest({ ...register, freeBytes: -1 }), { instanceOf: NodeMessageError });
  t.throws(() => parseNodeRegisterRequest({ ...register, zone: '' }), { instanceOf: NodeMessageError });
  t.throws(() => parseNodeRegisterRequest(null), { instanceOf: NodeMessageError });
  const answer = { secret: 'ab', secretEpoch: 3, heartbeatIntervalMs: 5000 };
  t.deepEqual(parseNodeRegisterResponse(answer), answer);
  t.throws(() => parseNodeRegisterResponse({ ...answer, heartbeatIntervalMs: 0 }), { code: 'NODE_MESSAGE_INVALID' } as never);
  const heartbeat = { nodeId: 'n1', url: 'http://10.0.0.1:9100', freeBytes: 1, capacityBytes: 2, signedAtMs: 5, signature: 'sig' };
  t.deepEqual(parseNodeHeartbeatRequest(heartbeat), heartbeat);
  t.throws(() => parseNodeHeartbeatRequest({ ...heartbeat, freeBytes: 1.5 }), { instanceOf: NodeMessageError });
  t.throws(() => parseNodeHeartbeatRequest({ ...heartbeat, signature: undefined }), { instanceOf: NodeMessageError });
});
