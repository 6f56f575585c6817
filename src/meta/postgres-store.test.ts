import test from 'ava';
import { startPostgresTestServer, type PostgresTestServer } from '../testing/postgres-server.ts';
import { PostgresMetaStore } from './postgres-store.ts';
import { runMetaStoreContract } from './store-contract.ts';

let server: PostgresTestServer | undefined;
test.before(async () => {
  server = await startPostgresTestServer();
});
test.after.always(async () => {
  await server?.stop();
});

runMetaStoreContract(test, async (options) => PostgresMetaStore.open(await server!.createDatabase(), { ...options, maxConnections: 4 }));
