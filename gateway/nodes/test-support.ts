/**
 * For tests of the gateway's node clients (shard client, verified chunk reader, read metering):
 * a NodeRegistry on a SQLite store holding one registered node, `n1`, served by `server`, which
 * already listens on loopback. When the test ends the registry, the server and the store are
 * closed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { SqliteMetaStore } from '../../src/meta/sqlite-store.ts';
import { NodeRegistry } from './registry.ts';

export const TEST_NODE_ID = 'n1';

export interface OneNodeRegistryOptions {
  readonly shardTimeoutMs: number;
  /** Default 2. */
  readonly writeConnections?: number;
  /** The SQLite file; default in memory. */
  readonly storePath?: string;
}

export async function oneNodeRegistry(t: ExecutionContext, server: Server, options: OneNodeRegistryOptions): Promise<{ store: SqliteMetaStore; registry: NodeRegistry }> {
  const store = SqliteMetaStore.open(options.storePath ?? ':memory:');
  const registry = await NodeRegistry.load({
    store, nodeTimeoutMs: 60_000, shardTimeoutMs: options.shardTimeoutMs, writeConnections: options.writeConnections ?? 2, now: () => new Date(),
  });
  t.teardown(async () => {
    await registry.close();
    server.closeAllConnections();
    server.close();
    await store.close();
  });
  const now = new Date();
  await registry.register({
    id: TEST_NODE_ID, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, zone: 'z', capacityBytes: 1e9, freeBytes: 1e9,
    registeredAt: now, lastHeartbeatAt: now, operatorId: null, publicKey: null, secret: 'a'.repeat(64), secretEpoch: 1, lastSignedAtMs: 0,
  });
  return { store, registry };
}
