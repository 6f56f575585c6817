import test from 'ava';
import { buildInvoice } from './invoice.ts';
import { formatInvoice, formatPackingAdvice } from './invoice-text.ts';
import { packingAdvice } from './packing-advice.ts';
import { DEFAULT_PRICE_TABLE } from './price-table.ts';

const HOUR_MS = 3_600_000n;

test('the printed invoice: a table, the floor as its own sentence, the total, usage per bucket', (t) => {
  const invoice = buildInvoice({
    account: { id: 'acc-1', name: 'alice' },
    window: { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-01T01:00:00Z') },
    prices: DEFAULT_PRICE_TABLE,
    storage: [{ bucket: 'videos', storedByteMs: 1000n * 4096n * HOUR_MS, partByteMs: 0n, floorByteMs: 1000n * (1_048_576n - 4096n) * HOUR_MS, objectsBelowFloor: 1000 }],
    requests: [
      { bucket: 'videos', requestClass: 'write', status: 200, requests: 1000, bytesIn: 4_096_000, bytesOut: 0 },
      { bucket: 'videos', requestClass: 'read', status: 206, requests: 3, bytesIn: 0, bytesOut: 1000 },
    ],
  });
  t.is(formatInvoice(invoice), [
    'Invoice for account alice (acc-1)',
    'Window 2025-01-01T00:00:00.000Z to 2025-01-01T01:00:00.000Z, prices in USD',
    '',
    '  Storage                            0.000005689 GB-month  × $0.004/GB-month         $0.000000023',
    '  1000 objects below 1 MiB billed as 1 MiB: +0.001450667 GB-month, +$0.000005803',
    '  Egress                                      0.000001 GB  × $0.007/GB               $0.000000007',
    '  PUT, COPY, POST and LIST requests         1000 requests  × $0.005/1,000 requests         $0.005',
    '  GET, HEAD and other requests                 3 requests  × $0.0004/1,000 requests    $0.0000012',
    '  Total                                                                              $0.005007033',
    '',
    'Usage by bucket:',
    '  bucket  objects < floor  write req  read req  free req  bytes in  bytes out',
    '  videos             1000       1000         3         0   4096000       1000',
    '',
  ].join('\n'));
});

test('the printed advice names bucket/prefix, the billed and packed sizes and the monthly saving', (t) => {
  const advice = packingAdvice([
    { accountId: 'a', bucket: 'videos', prefix: 'hls/720p/', objects: 1000, bytes: 4_096_000 },
    { accountId: 'a', bucket: 'videos', prefix: '', objects: 3, bytes: 30 },
  ], DEFAULT_PRICE_TABLE);
  t.is(formatPackingAdvice(advice, 1_048_576, 'USD'), [
    'Prefixes with the most objects below 1 MiB; packing each into one archive would save:',
    '',
    '  bucket/prefix     objects    bytes   billed as  as one archive  saves GB-month/month  saves USD/month',
    '  videos/hls/720p/     1000  4096000  1048576000         4096000               1.04448      $0.00417792',
    '  videos/                 3       30     3145728         1048576           0.002097152     $0.000008389',
    '',
  ].join('\n'));
  t.is(formatPackingAdvice([], 1_048_576, 'USD'), 'No prefix holds two or more objects below 1 MiB: packing would save nothing.\n');
});
