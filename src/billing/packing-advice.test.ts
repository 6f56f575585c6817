import test from 'ava';
import { packingAdvice } from './packing-advice.ts';
import { DEFAULT_PRICE_TABLE } from './price-table.ts';

const MIB = 1_048_576;

test('packing n small objects saves n × floor − max(bytes, floor) per month; nothing to gain is left out', (t) => {
  const advice = packingAdvice([
    { accountId: 'a', bucket: 'videos', prefix: 'hls/720p/', objects: 1000, bytes: 4_096_000 },
    { accountId: 'a', bucket: 'videos', prefix: 'tiny/', objects: 3, bytes: 30 },
    { accountId: 'a', bucket: 'videos', prefix: 'alone/', objects: 1, bytes: 10 },
  ], DEFAULT_PRICE_TABLE);
  t.deepEqual(advice, [
    {
      accountId: 'a', bucket: 'videos', prefix: 'hls/720p/', objects: 1000, bytes: 4_096_000,
      billedBytes: 1000 * MIB, packedBilledBytes: 4_096_000,
      // 1,048,576,000 − 4,096,000 = 1,044,480,000 bytes: 1.04448 GB-month each month, × $0.004.
      savedGbMonthPerMonth: '1.04448', savedPerMonth: '0.00417792',
    },
    {
      accountId: 'a', bucket: 'videos', prefix: 'tiny/', objects: 3, bytes: 30,
      billedBytes: 3 * MIB, packedBilledBytes: MIB, savedGbMonthPerMonth: '0.002097152', savedPerMonth: '0.000008389',
    },
  ]);
});
