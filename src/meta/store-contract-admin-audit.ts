import type { TestFn } from 'ava';
import { openStore, type MakeStore } from './store-contract-fixtures.ts';

/** The admin audit log (appended, paged newest first) and the account listing the web console pages through. */
export function runAdminAuditContract(test: TestFn, makeStore: MakeStore): void {
  test('admin audit: entries come back newest first, with every field, a page at a time', async (t) => {
    const store = await openStore(t, makeStore);
    t.deepEqual(await store.listAdminAudit({ limit: 10 }), []);
    const at = new Date(1_700_000_000_123);
    const first = await store.appendAdminAudit({ at, action: 'login', outcome: 'refused', subject: null, remoteAddress: '127.0.0.1' });
    const second = await store.appendAdminAudit({
      at: new Date(at.getTime() + 1), action: 'download-link', outcome: 'ok', subject: 'b/ké😀 "q"', remoteAddress: null,
    });
    const third = await store.appendAdminAudit({ at: new Date(at.getTime() + 2), action: 'logout', outcome: 'ok', subject: null, remoteAddress: '::1' });
    t.true(first.id < second.id && second.id < third.id, 'ids increase in append order');
    t.deepEqual(await store.listAdminAudit({ limit: 10 }), [third, second, first]);
    t.deepEqual(second, {
      id: second.id, at: new Date(at.getTime() + 1), action: 'download-link', outcome: 'ok', subject: 'b/ké😀 "q"', remoteAddress: null,
    });
    const page = await store.listAdminAudit({ limit: 2 });
    t.deepEqual(page, [third, second]);
    t.deepEqual(await store.listAdminAudit({ limit: 2, before: page[1]!.id }), [first]);
    t.deepEqual(await store.listAdminAudit({ limit: 2, before: first.id }), []);
  });

  test('accounts are listed in byte order of their names, a page at a time', async (t) => {
    const store = await openStore(t, makeStore);
    t.deepEqual(await store.listAccounts({ limit: 10 }), []);
    const names = ['zed', 'Alice', 'bob', 'émile', 'alice'];
    for (const name of names) await store.createAccount(name);
    const all = await store.listAccounts({ limit: 10 });
    t.deepEqual(all.map((account) => account.name), ['Alice', 'alice', 'bob', 'zed', 'émile']);
    t.deepEqual(all[0], await store.getAccountByName('Alice'));
    t.deepEqual((await store.listAccounts({ limit: 2 })).map((account) => account.name), ['Alice', 'alice']);
    t.deepEqual((await store.listAccounts({ limit: 2, after: 'alice' })).map((account) => account.name), ['bob', 'zed']);
    t.deepEqual((await store.listAccounts({ limit: 2, after: 'zed' })).map((account) => account.name), ['émile']);
    t.deepEqual(await store.listAccounts({ limit: 2, after: 'émile' }), []);
  });
}
