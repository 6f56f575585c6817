import test from 'ava';
import type { RequestUsageTotal } from '../meta/usage-types.ts';
import { amountNanos, buildInvoice, type InvoiceInput } from './invoice.ts';
import { DEFAULT_PRICE_TABLE } from './price-table.ts';
import type { BucketStorage } from './storage-accrual.ts';

const HOUR_MS = 3_600_000n;
const WINDOW = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-01T01:00:00Z') };

/** 1,000 objects of 4 KiB for one hour, metered with their 1,000 PUTs, 3 ranged reads, 2 deletes and one 503. */
function smallFiles(): InvoiceInput {
  const storage: BucketStorage[] = [{
    bucket: 'videos',
    storedByteMs: 1000n * 4096n * HOUR_MS,
    partByteMs: 0n,
    floorByteMs: 1000n * (1_048_576n - 4096n) * HOUR_MS,
    objectsBelowFloor: 1000,
  }];
  const requests: RequestUsageTotal[] = [
    { bucket: 'videos', requestClass: 'write', status: 200, requests: 1000, bytesIn: 4_096_000, bytesOut: 0 },
    { bucket: 'videos', requestClass: 'read', status: 206, requests: 3, bytesIn: 0, bytesOut: 1000 },
    { bucket: 'videos', requestClass: 'free', status: 204, requests: 2, bytesIn: 0, bytesOut: 0 },
    { bucket: 'videos', requestClass: 'read', status: 503, requests: 1, bytesIn: 0, bytesOut: 0 },
    { bucket: '', requestClass: 'write', status: 403, requests: 0, bytesIn: 0, bytesOut: 0 },
  ];
  return { account: { id: 'acc-1', name: 'alice' }, window: WINDOW, prices: DEFAULT_PRICE_TABLE, storage, requests };
}

test('line items: storage, the floor as its own line, egress, requests; amounts rounded once to a nano', (t) => {
  const invoice = buildInvoice(smallFiles());
  t.deepEqual(invoice.lines, [
    // 4,096,000 B × 1 h = 1.47456e13 byte-ms; / 2.592e18 byte-ms per GB-month; × $0.004 = 22.76 nanos.
    { item: 'storage', description: 'Storage', quantity: '0.000005689', unit: 'GB-month', price: '0.004', priceUnit: 'GB-month', amount: '0.000000023' },
    // 1,000 × (1 MiB − 4 KiB) × 1 h = 3.760128e15 byte-ms → 0.00145066… GB-month → 5802.67 nanos.
    {
      item: 'small-object-floor', description: '1000 objects below 1 MiB billed as 1 MiB', objects: 1000,
      quantity: '0.001450667', unit: 'GB-month', price: '0.004', priceUnit: 'GB-month', amount: '0.000005803',
    },
    { item: 'egress', description: 'Egress', quantity: '0.000001', unit: 'GB', price: '0.007', priceUnit: 'GB', amount: '0.000000007' },
    { item: 'write-requests', description: 'PUT, COPY, POST and LIST requests', quantity: '1000', unit: 'requests', price: '0.005', priceUnit: '1,000 requests', amount: '0.005' },
    { item: 'read-requests', description: 'GET, HEAD and other requests', quantity: '3', unit: 'requests', price: '0.0004', priceUnit: '1,000 requests', amount: '0.0000012' },
  ]);
  t.is(invoice.total, '0.005007033');
  t.is(invoice.lines.reduce((total, line) => total + amountNanos(line), 0n), 5_007_033n, 'lines add up to the total');
});

test('usage per bucket: 5xx metered but not billed, deletes free, ingress metered', (t) => {
  const invoice = buildInvoice(smallFiles());
  t.deepEqual(invoice.buckets, [
    {
      bucket: '', storedByteMs: '0', partByteMs: '0', floorByteMs: '0', objectsBelowFloor: 0,
      writeRequests: 0, readRequests: 0, freeRequests: 0, unbilledRequests: 0, bytesIn: 0, bytesOut: 0,
    },
    {
      bucket: 'videos', storedByteMs: '14745600000000', partByteMs: '0', floorByteMs: '3760128000000000', objectsBelowFloor: 1000,
      writeRequests: 1000, readRequests: 3, freeRequests: 2, unbilledRequests: 1, bytesIn: 4_096_000, bytesOut: 1000,
    },
  ]);
  t.deepEqual(invoice.window, { from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T01:00:00.000Z' });
  t.is(invoice.currency, 'USD');
  t.deepEqual(invoice.prices, {
    currency: 'USD', floorBytes: 1_048_576, floor: '1 MiB', storagePerGbMonth: '0.004', egressPerGb: '0.007',
    writeRequestsPer1000: '0.005', readRequestsPer1000: '0.0004',
  });
  t.notThrows(() => JSON.stringify(invoice), 'JSON-safe: no bigint inside');
});

test('the same bytes in one archive: the invoice differs exactly by the floor line', (t) => {
  const small = buildInvoice({ ...smallFiles(), requests: [] });
  const archive = buildInvoice({
    ...smallFiles(),
    requests: [],
    storage: [{ bucket: 'videos', storedByteMs: 1000n * 4096n * HOUR_MS, partByteMs: 0n, floorByteMs: 0n, objectsBelowFloor: 0 }],
  });
  const floorLine = small.lines.find((line) => line.item === 'small-object-floor')!;
  t.is(amountNanos({ amount: small.total }) - amountNanos({ amount: archive.total }), amountNanos(floorLine));
  t.is(archive.lines.find((line) => line.item === 'small-object-floor')!.description, '0 objects below 1 MiB billed as 1 MiB');
});

test('one object below the floor is singular; other floors and currencies are shown as configured', (t) => {
  const invoice = buildInvoice({
    ...smallFiles(),
    prices: { ...DEFAULT_PRICE_TABLE, floorBytes: 128 * 1024, currency: 'EUR' },
    storage: [{ bucket: 'b', storedByteMs: 0n, partByteMs: 0n, floorByteMs: 0n, objectsBelowFloor: 1 }],
  });
  t.is(invoice.lines[1]!.description, '1 object below 128 KiB billed as 128 KiB');
  t.is(invoice.currency, 'EUR');
});
