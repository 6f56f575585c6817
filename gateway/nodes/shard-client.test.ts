import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ShardClient, ShardRequestError } from './shard-client.ts';
import { oneNodeRegistry, TEST_NODE_ID } from './test-support.ts';

const SHARD_TIMEOUT_MS = 1_000;

test('a read that cannot get a pooled connection fails within the shard timeout, like a slow node', async (t) => {
  // A node whose range reads answer at once and then trickle a byte every 200 ms: each holds its
  // connection without ever tripping the body timeout, as reads behind a slow client do.
  const trickles: ServerResponse[] = [];
  const server = createServer((request, response) => {
    response.writeHead(206, { 'content-length': '1000000' });
    trickles.push(response);
  });
  const trickle = setInterval(() => { for (const response of trickles) response.write('x'); }, 200);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-client-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true })); // teardowns run last registered first
  const { registry } = await oneNodeRegistry(t, server, { shardTimeoutMs: SHARD_TIMEOUT_MS, writeConnections: 4, storePath: path.join(dir, 'meta.sqlite') });
  const abort = new AbortController();
  t.teardown(() => {
    abort.abort();
    clearInterval(trickle);
  });
  const client = new ShardClient(registry, () => new Date(), SHARD_TIMEOUT_MS);
  const node = registry.get(TEST_NODE_ID)!;
  const window = { offset: 0, length: 1_000_000 };
  // Every connection of the node's read pool is taken by a trickling read.
  const held = await Promise.all(Array.from({ length: 64 }, (_, i) => client.readRange(node, `held-${i}`, window, abort.signal)));
  for (const body of held) body.on('error', () => {}).resume();

  const error = await t.throwsAsync(client.readRange(node, 'one-more', window, abort.signal), { instanceOf: ShardRequestError });
  t.regex(error!.reason, /no answer within 1000 ms \(waiting for a pooled connection included\)/);
  // The write pool is another pool: a delete still gets through while reads hold every read connection.
  await t.throwsAsync(client.delete(node, 'some-shard', abort.signal), { message: /delete answered 206/ });
});
