import type { TestFn } from 'ava';
import { createHash } from 'node:crypto';
import { openStore, type MakeStore } from './store-contract-fixtures.ts';

const hashOf = (token: string) => new Uint8Array(createHash('sha256').update(token).digest());

/** Operators, join tokens (hashes only) and node tombstones. */
export function runOperatorContract(test: TestFn, makeStore: MakeStore): void {
  test('operators: unique names, lookup by id and name', async (t) => {
    const store = await openStore(t, makeStore);
    const alice = await store.createOperator('alice');
    t.is(alice.name, 'alice');
    t.deepEqual(await store.getOperator(alice.id), alice);
    t.deepEqual(await store.getOperatorByName('alice'), alice);
    t.is(await store.getOperatorByName('bob'), null);
    t.is(await store.getOperator('nope'), null);
    await t.throwsAsync(store.createOperator('alice'), { code: 'OPERATOR_ALREADY_EXISTS' } as never);
  });

  test('join tokens: found by hash, listed per operator, revoked once; put replaces and clears revocation', async (t) => {
    const store = await openStore(t, makeStore);
    const alice = await store.createOperator('alice');
    const bob = await store.createOperator('bob');
    const at = new Date(1_700_000_000_000);
    const first = await store.putJoinToken({ id: 't1', operatorId: alice.id, tokenHash: hashOf('one'), createdAt: at });
    await store.putJoinToken({ id: 't2', operatorId: bob.id, tokenHash: hashOf('two'), createdAt: new Date(at.getTime() + 1) });
    t.deepEqual(first, { id: 't1', operatorId: alice.id, tokenHash: hashOf('one'), createdAt: at, revokedAt: null });
    t.deepEqual(await store.findJoinTokenByHash(hashOf('one')), first);
    t.deepEqual(await store.getJoinToken('t1'), first);
    t.is(await store.findJoinTokenByHash(hashOf('three')), null);
    t.deepEqual((await store.listJoinTokens()).map((token) => token.id), ['t1', 't2']);
    t.deepEqual((await store.listJoinTokens(bob.id)).map((token) => token.id), ['t2']);

    const revokedAt = new Date(at.getTime() + 5000);
    t.true(await store.revokeJoinToken('t1', revokedAt));
    t.false(await store.revokeJoinToken('t1', new Date(at.getTime() + 9000)), 'a second revocation keeps the first date');
    t.false(await store.revokeJoinToken('ghost', revokedAt));
    t.deepEqual((await store.findJoinTokenByHash(hashOf('one')))?.revokedAt, revokedAt, 'a revoked token is still found (and refused by the caller)');

    await store.putJoinToken({ id: 't1', operatorId: alice.id, tokenHash: hashOf('one-rotated'), createdAt: revokedAt });
    t.is(await store.findJoinTokenByHash(hashOf('one')), null, 'the old hash is gone');
    t.deepEqual(await store.findJoinTokenByHash(hashOf('one-rotated')), { id: 't1', operatorId: alice.id, tokenHash: hashOf('one-rotated'), createdAt: revokedAt, revokedAt: null });
    await t.throwsAsync(store.putJoinToken({ id: 't9', operatorId: 'ghost', tokenHash: hashOf('x'), createdAt: at }), { code: 'NO_SUCH_OPERATOR' } as never);
  });

  test('tombstones: a node id stays dead with its first reason', async (t) => {
    const store = await openStore(t, makeStore);
    t.is(await store.getNodeTombstone('n1'), null);
    const at = new Date(1_700_000_000_000);
    await store.tombstoneNode('n1', 'forgotten', at);
    await store.tombstoneNode('n1', 'disqualified', new Date(at.getTime() + 1));
    t.deepEqual(await store.getNodeTombstone('n1'), { nodeId: 'n1', reason: 'forgotten', tombstonedAt: at });
    t.is(await store.getNodeTombstone('n2'), null);
  });
}
