import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PostgresMetaStore } from '../src/meta/postgres-store.ts';
import { startPostgresTestServer } from '../src/testing/postgres-server.ts';
import { loadGatewayConfig } from './config.ts';
import { ensureCredentials } from './credentials.ts';

test('gateways starting at once on an empty PostgreSQL database agree on every generated secret', async (t) => {
  const server = await startPostgresTestServer();
  t.teardown(() => server.stop());
  const url = await server.createDatabase();
  const { config } = loadGatewayConfig(['--data-dir', path.join(os.tmpdir(), 'unused'), '--meta', url], {});
  const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresMetaStore.open(url)));
  t.teardown(() => Promise.all(stores.map((store) => store.close())));
  const credentials = await Promise.all(stores.map((store) => ensureCredentials(store, config!)));
  for (const other of credentials.slice(1)) t.deepEqual(other, credentials[0]);
  t.is((await stores[0]!.getAccessKey(credentials[0]!.accessKeyId))?.secretKey, credentials[0]!.secretKey);
});
