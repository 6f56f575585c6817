import test from 'ava';
import { NodeLatency } from './node-latency.ts';

test('no hedge delay until a node has enough history', (t) => {
  const latency = new NodeLatency();
  for (let i = 0; i < 15; i++) latency.record('n', 100);
  t.is(latency.hedgeDelayMs('n'), null);
  t.is(latency.hedgeDelayMs('unknown'), null);
  latency.record('n', 100);
  t.is(latency.hedgeDelayMs('n'), 100);
});

test('the delay is the p95 of the recent samples, never below the floor', (t) => {
  const latency = new NodeLatency();
  for (let i = 1; i <= 100; i++) latency.record('n', i); // the window keeps 37..100
  t.is(latency.hedgeDelayMs('n'), 97); // 95th percentile of 64 samples: the 61st smallest
  const fast = new NodeLatency();
  for (let i = 0; i < 20; i++) fast.record('f', 2);
  t.is(fast.hedgeDelayMs('f'), 25);
});
