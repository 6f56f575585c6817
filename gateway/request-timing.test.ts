import test from 'ava';
import { RequestTiming, timed } from './request-timing.ts';

test('a fresh clock has no stages and an empty header', (t) => {
  const timing = new RequestTiming();
  t.deepEqual(timing.stages(), []);
  t.is(timing.serverTimingHeader(), '');
});

test('recorded stages come out in pipeline order, as name;dur=ms with two decimals', async (t) => {
  const timing = new RequestTiming();
  timing.shardRequested();
  await timed(timing, 'metadata', async () => 1);
  await timed(timing, 'auth', async () => 2);
  timing.touch('hash-list');
  timing.shardByteArrived();
  timing.add('verify', performance.now());
  timing.headersSent();
  t.deepEqual(timing.stages().map(([name]) => name), ['auth', 'metadata', 'hash-list', 'shard-first-byte', 'verify', 'first-byte']);
  t.regex(timing.serverTimingHeader(), /^auth;dur=\d+\.\d\d, metadata;dur=\d+\.\d\d, hash-list;dur=0\.00, shard-first-byte;dur=\d+\.\d\d, verify;dur=\d+\.\d\d, first-byte;dur=\d+\.\d\d$/);
  t.deepEqual(Object.keys(timing.logFields(performance.now())).at(-1), 'total');
});

test('a shard byte before any shard request is not a stage; timed() without a clock just runs the work', async (t) => {
  const timing = new RequestTiming();
  timing.shardByteArrived();
  t.deepEqual(timing.stages(), []);
  t.is(await timed(undefined, 'metadata', async () => 'value'), 'value');
});

test('overlapping hash list fetches count once, and one still in flight counts up to now', (t) => {
  const timing = new RequestTiming();
  timing.hashListFetchStarted();
  timing.hashListFetchStarted();
  timing.hashListFetchEnded();
  t.is(timing.hashListMs, -1, 'not closed while one fetch is in flight');
  t.deepEqual(timing.stages().map(([name]) => name), ['hash-list']);
  timing.hashListFetchEnded();
  t.true(timing.hashListMs >= 0);
});
