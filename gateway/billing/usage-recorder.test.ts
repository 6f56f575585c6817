import test from 'ava';
import { silentLogger } from '../../src/log/logger.ts';
import type { RequestUsage } from '../../src/meta/usage-types.ts';
import { createMetrics } from '../metrics.ts';
import { UsageRecorder, type MeteredRequest } from './usage-recorder.ts';

const T0 = 1_700_000_000_000;

/** A store stand-in that keeps what it is given and can be told to refuse. */
function memoryStore() {
  const batches: RequestUsage[][] = [];
  let failures = 0;
  return {
    batches,
    failNext(count: number) { failures = count; },
    async appendRequestUsage(rows: readonly RequestUsage[]) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('disk full');
      }
      batches.push([...rows]);
    },
  };
}

function request(overrides: Partial<MeteredRequest> = {}): MeteredRequest {
  return {
    accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 200, startedAt: new Date(T0 + 10), bytesIn: 0, bytesOut: 100, ...overrides,
  };
}

test('requests of one account, bucket, class, status and second become one row; flush writes them once', async (t) => {
  const store = memoryStore();
  const recorder = new UsageRecorder({ store, logger: silentLogger, metrics: createMetrics() });
  recorder.record(request());
  recorder.record(request({ startedAt: new Date(T0 + 999), bytesOut: 50 }));
  recorder.record(request({ startedAt: new Date(T0 + 1_000) }));
  recorder.record(request({ status: 404, bytesOut: 0 }));
  recorder.record(request({ requestClass: 'write', bytesIn: 7, bytesOut: 0 }));
  t.deepEqual(store.batches, [], 'nothing is written before a flush');
  await recorder.flush();
  await recorder.flush();
  t.is(store.batches.length, 1, 'an empty flush writes nothing');
  t.deepEqual(store.batches[0], [
    { accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 200, at: new Date(T0), requests: 2, bytesIn: 0, bytesOut: 150 },
    { accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 200, at: new Date(T0 + 1_000), requests: 1, bytesIn: 0, bytesOut: 100 },
    { accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 404, at: new Date(T0), requests: 1, bytesIn: 0, bytesOut: 0 },
    { accountId: 'alice', bucket: 'photos', requestClass: 'write', status: 200, at: new Date(T0), requests: 1, bytesIn: 7, bytesOut: 0 },
  ]);
});

test('a refused batch is kept, merged with newer requests, and written by the next flush', async (t) => {
  const store = memoryStore();
  const metrics = createMetrics();
  const recorder = new UsageRecorder({ store, logger: silentLogger, metrics });
  recorder.record(request());
  store.failNext(1);
  await t.throwsAsync(recorder.flush(), { message: 'disk full' });
  t.is(metrics.usageFlushFailures, 1);
  recorder.record(request({ bytesOut: 1 }));
  recorder.record(request({ bucket: 'other' }));
  await recorder.flush();
  t.deepEqual(store.batches, [[
    { accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 200, at: new Date(T0), requests: 2, bytesIn: 0, bytesOut: 101 },
    { accountId: 'alice', bucket: 'other', requestClass: 'read', status: 200, at: new Date(T0), requests: 1, bytesIn: 0, bytesOut: 100 },
  ]]);
});

test('past the retention cap the oldest rows are dropped and counted', async (t) => {
  const store = memoryStore();
  const metrics = createMetrics();
  const recorder = new UsageRecorder({ store, logger: silentLogger, metrics, maxRetainedRows: 2 });
  for (const bucket of ['a', 'b', 'c']) recorder.record(request({ bucket }));
  store.failNext(1);
  await t.throwsAsync(recorder.flush());
  t.is(metrics.usageRowsDropped, 1);
  await recorder.close();
  t.deepEqual(store.batches.flat().map((row) => row.bucket), ['b', 'c']);
});

test('a full batch is flushed without waiting for the timer; close writes the rest', async (t) => {
  const store = memoryStore();
  const recorder = new UsageRecorder({ store, logger: silentLogger, metrics: createMetrics(), maxPendingRows: 3, flushIntervalMs: 3_600_000 });
  recorder.start();
  for (const bucket of ['a', 'b', 'c']) recorder.record(request({ bucket }));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  t.is(store.batches.length, 1);
  recorder.record(request({ bucket: 'd' }));
  await recorder.close();
  t.deepEqual(store.batches.map((batch) => batch.map((row) => row.bucket)), [['a', 'b', 'c'], ['d']]);
});
