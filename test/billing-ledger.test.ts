/**
 * Exact billing arithmetic end to end below HTTP: the real SQLite store (its own transactions
 * append the storage events) with an injected clock, invoices computed from its ledger. Times are
 * set explicitly, so "one hour" is exactly 3,600,000 ms and nothing sleeps.
 */
import test, { type ExecutionContext } from 'ava';
import { amountNanos, type Invoice, type InvoiceItem } from '../src/billing/invoice.ts';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../src/billing/price-table.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { commitWithPending, createAccountAndBucket, newVersion } from '../src/meta/store-contract-fixtures.ts';
import { newUpload, writtenPart } from '../src/meta/store-contract-multipart.ts';
import type { Account } from '../src/meta/types.ts';
import { computeInvoice } from '../gateway/billing/usage-report.ts';

const T0 = Date.UTC(2025, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KIB = 1024;
const MIB = 1024 * KIB;

interface Ledger {
  readonly store: SqliteMetaStore;
  at(ms: number): void;
  invoice(account: Account, from: number, to: number, prices?: PriceTable): Promise<Invoice>;
}

function openLedger(t: ExecutionContext): Ledger {
  let nowMs = T0;
  const store = SqliteMetaStore.open(':memory:', { now: () => new Date(nowMs) });
  t.teardown(() => store.close());
  return {
    store,
    at(ms) { nowMs = ms; },
    invoice: (account, from, to, prices = DEFAULT_PRICE_TABLE) => computeInvoice(store, account, { from: new Date(from), to: new Date(to) }, prices),
  };
}

const line = (invoice: Invoice, item: InvoiceItem) => invoice.lines.find((entry) => entry.item === item)!;
const total = (invoice: Invoice) => amountNanos({ amount: invoice.total });
const storageOf = (invoice: Invoice, bucket: string) => {
  const usage = invoice.buckets.find((entry) => entry.bucket === bucket);
  return { stored: BigInt(usage?.storedByteMs ?? 0), parts: BigInt(usage?.partByteMs ?? 0), floor: BigInt(usage?.floorByteMs ?? 0), below: usage?.objectsBelowFloor ?? 0 };
};

test('1,000 × 4 KiB objects vs one archive of the same bytes for one hour: the invoices differ exactly by the floor line', async (t) => {
  const ledger = openLedger(t);
  const { account: small } = await createAccountAndBucket(ledger.store, 'small-files', 'small');
  const { account: packed } = await createAccountAndBucket(ledger.store, 'archive', 'packed');
  ledger.at(T0);
  for (let i = 0; i < 1000; i += 1) await commitWithPending(ledger.store, newVersion('small-files', `hls/seg-${i}.ts`, { size: 4 * KIB }));
  await commitWithPending(ledger.store, newVersion('archive', 'hls.zip', { size: 1000 * 4 * KIB }));

  const smallInvoice = await ledger.invoice(small, T0, T0 + HOUR);
  const packedInvoice = await ledger.invoice(packed, T0, T0 + HOUR);
  t.deepEqual(storageOf(smallInvoice, 'small-files'), { stored: 4_096_000n * BigInt(HOUR), parts: 0n, floor: 1000n * BigInt(MIB - 4 * KIB) * BigInt(HOUR), below: 1000 });
  t.deepEqual(storageOf(packedInvoice, 'archive'), { stored: 4_096_000n * BigInt(HOUR), parts: 0n, floor: 0n, below: 0 });
  t.deepEqual(line(smallInvoice, 'storage'), line(packedInvoice, 'storage'), 'the same bytes for the same hour');
  t.like(line(smallInvoice, 'small-object-floor'), {
    description: '1000 objects below 1 MiB billed as 1 MiB', objects: 1000, quantity: '0.001450667', amount: '0.000005803',
  });
  t.is(total(smallInvoice) - total(packedInvoice), amountNanos(line(smallInvoice, 'small-object-floor')));
  t.is(line(packedInvoice, 'small-object-floor').amount, '0');
});

test('overwrite small → large → small: each size is billed for exactly its own twenty minutes', async (t) => {
  const ledger = openLedger(t);
  const { account } = await createAccountAndBucket(ledger.store, 'b', 'alice');
  ledger.at(T0);
  await commitWithPending(ledger.store, newVersion('b', 'k', { size: 100 }));
  ledger.at(T0 + 20 * MINUTE);
  await commitWithPending(ledger.store, newVersion('b', 'k', { size: 5 * MIB }));
  ledger.at(T0 + 40 * MINUTE);
  await commitWithPending(ledger.store, newVersion('b', 'k', { size: 100 }));
  const invoice = await ledger.invoice(account, T0, T0 + HOUR);
  const twenty = BigInt(20 * MINUTE);
  t.deepEqual(storageOf(invoice, 'b'), {
    stored: 100n * twenty + BigInt(5 * MIB) * twenty + 100n * twenty,
    parts: 0n,
    floor: 2n * BigInt(MIB - 100) * twenty,
    below: 2,
  });
});

test('a delete halfway through the window bills exactly the first half, floor included', async (t) => {
  const ledger = openLedger(t);
  const { account } = await createAccountAndBucket(ledger.store, 'b', 'alice');
  ledger.at(T0 - HOUR);
  await commitWithPending(ledger.store, newVersion('b', 'large', { size: 10 * MIB }));
  await commitWithPending(ledger.store, newVersion('b', 'small', { size: 10 }));
  ledger.at(T0 + 30 * MINUTE);
  await ledger.store.deleteObject('b', 'large');
  await ledger.store.deleteObject('b', 'small');
  const half = BigInt(30 * MINUTE);
  t.deepEqual(storageOf(await ledger.invoice(account, T0, T0 + HOUR), 'b'), {
    stored: BigInt(10 * MIB + 10) * half, parts: 0n, floor: BigInt(MIB - 10) * half, below: 1,
  });
  t.deepEqual(storageOf(await ledger.invoice(account, T0 + 30 * MINUTE, T0 + HOUR), 'b'), { stored: 0n, parts: 0n, floor: 0n, below: 0 });
});

test('a copy is billed as a full object to the destination owner; the source keeps its own bill', async (t) => {
  const ledger = openLedger(t);
  const { account: alice } = await createAccountAndBucket(ledger.store, 'alices', 'alice');
  const { account: bob } = await createAccountAndBucket(ledger.store, 'bobs', 'bob');
  ledger.at(T0);
  const source = newVersion('alices', 'movie.zip', { size: 3 * MIB });
  await commitWithPending(ledger.store, source);
  ledger.at(T0 + 15 * MINUTE);
  await ledger.store.copyObject({ sourceVersionId: source.object.versionId, object: newVersion('bobs', 'copy.zip', { size: 3 * MIB }).object });
  ledger.at(T0 + 30 * MINUTE);
  const copyInPlace = newVersion('alices', 'movie-2.zip', { size: 3 * MIB }).object;
  await ledger.store.copyObject({ sourceVersionId: source.object.versionId, object: copyInPlace });
  const aliceStorage = storageOf(await ledger.invoice(alice, T0, T0 + HOUR), 'alices');
  const bobStorage = storageOf(await ledger.invoice(bob, T0, T0 + HOUR), 'bobs');
  t.is(aliceStorage.stored, BigInt(3 * MIB) * BigInt(HOUR + 30 * MINUTE), 'the source all hour and its copy for half an hour, segments shared or not');
  t.is(bobStorage.stored, BigInt(3 * MIB) * BigInt(45 * MINUTE));
});

test('multipart: parts billed at actual size while in progress (no floor); abort ends them; complete turns them into the object', async (t) => {
  const ledger = openLedger(t);
  const { account } = await createAccountAndBucket(ledger.store, 'b', 'alice');
  const { store } = ledger;
  const completed = newUpload('b', 'movie');
  const aborted = newUpload('b', 'abandoned');
  await store.createMultipartUpload(completed);
  await store.createMultipartUpload(aborted);
  ledger.at(T0);
  const one = await writtenPart(store, completed.uploadId, 1, 5 * MIB, 5 * MIB);
  const two = await writtenPart(store, completed.uploadId, 2, 10, 10);
  const unused = await writtenPart(store, completed.uploadId, 3, 7, 7);
  const lost = await writtenPart(store, aborted.uploadId, 1, 2 * MIB, 2 * MIB);
  for (const part of [one, two, unused, lost]) await store.commitPart(part);
  ledger.at(T0 + 10 * MINUTE);
  await store.commitPart(await writtenPart(store, completed.uploadId, 2, 1000, 1000)); // part 2 uploaded again
  ledger.at(T0 + 20 * MINUTE);
  t.true(await store.abortMultipartUpload('b', 'abandoned', aborted.uploadId));
  ledger.at(T0 + 30 * MINUTE);
  const object = { ...newVersion('b', 'movie', { size: 5 * MIB + 1000 }).object, ...completed.headers };
  await store.completeMultipartUpload({
    uploadId: completed.uploadId, object,
    parts: [{ partNumber: 1, etag: one.part.etag }, { partNumber: 2, etag: (await store.listParts(completed.uploadId, { after: 1, maxParts: 1 })).parts[0]!.etag }],
  });

  const minutes = (count: number) => BigInt(count * MINUTE);
  const parts = BigInt(5 * MIB) * minutes(30) + 10n * minutes(10) + 1000n * minutes(20) + 7n * minutes(30) + BigInt(2 * MIB) * minutes(20);
  const object30 = BigInt(5 * MIB + 1000) * minutes(30);
  t.deepEqual(storageOf(await ledger.invoice(account, T0, T0 + HOUR), 'b'), { stored: parts + object30, parts, floor: 0n, below: 0 });
  t.deepEqual(storageOf(await ledger.invoice(account, T0 + 30 * MINUTE, T0 + HOUR), 'b'), { stored: object30, parts: 0n, floor: 0n, below: 0 });
});

test('the floor is a billing-time price: the same ledger priced with another floor, and windows that add up', async (t) => {
  const ledger = openLedger(t);
  const { account } = await createAccountAndBucket(ledger.store, 'b', 'alice');
  ledger.at(T0);
  for (const size of [100, 64 * KIB, 200 * KIB, 2 * MIB]) await commitWithPending(ledger.store, newVersion('b', `k${size}`, { size }));
  const small = await ledger.invoice(account, T0, T0 + HOUR, { ...DEFAULT_PRICE_TABLE, floorBytes: 128 * KIB });
  t.deepEqual(storageOf(small, 'b').floor, (BigInt(128 * KIB - 100) + BigInt(64 * KIB)) * BigInt(HOUR));
  t.is(line(small, 'small-object-floor').description, '2 objects below 128 KiB billed as 128 KiB');
  t.is(storageOf(await ledger.invoice(account, T0, T0 + HOUR), 'b').below, 3);

  const whole = storageOf(await ledger.invoice(account, T0, T0 + HOUR), 'b');
  const first = storageOf(await ledger.invoice(account, T0, T0 + 17 * MINUTE + 3), 'b');
  const second = storageOf(await ledger.invoice(account, T0 + 17 * MINUTE + 3, T0 + HOUR), 'b');
  t.is(first.stored + second.stored, whole.stored);
  t.is(first.floor + second.floor, whole.floor);
});
