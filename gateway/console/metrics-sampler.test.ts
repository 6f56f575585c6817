import test from 'ava';
import { createMetrics } from '../metrics.ts';
import { GatewayPrometheus } from '../prometheus.ts';
import { MetricsSampler } from './metrics-sampler.ts';

function setup(capacity = 3) {
  const prometheus = new GatewayPrometheus(createMetrics(), () => Date.now(), () => []);
  let clock = 1_000_000;
  const nodes = [{ id: 'a', online: true }, { id: 'b', online: true }];
  const sampler = new MetricsSampler(prometheus.registry, () => nodes, 5_000, capacity, () => clock);
  const advance = (ms: number) => { clock += ms; };
  const read = (status: number, seconds: number, bytesOut: number) =>
    prometheus.observeRequest({ operation: 'GetObject', status, headersSeconds: seconds / 2, durationSeconds: seconds, bytesOut });
  return { sampler, advance, read, nodes };
}

test('each sample holds the range reads (GetObject 206) of its interval only: count, mean, p95 bucket bound, bytes per second', async (t) => {
  const { sampler, advance, read } = setup();
  await sampler.sample();
  t.deepEqual(sampler.samples(), [], 'the first sample is the baseline');
  read(206, 0.004, 1_000_000);
  read(206, 0.016, 3_000_000);
  read(200, 5, 99_000_000); // a whole-object GET is not a range read
  advance(5_000);
  await sampler.sample();
  t.deepEqual(sampler.samples(), [{ at: 1_005_000, intervalMs: 5_000, reads: 2, meanMs: 10, p95Ms: 20, bytesPerSecond: 800_000 }]);
  advance(5_000);
  await sampler.sample();
  t.like(sampler.samples()[1], { reads: 0, meanMs: null, p95Ms: null, bytesPerSecond: 0 });
});

test('the ring keeps the last `capacity` samples, and node uptime over the same ring', async (t) => {
  const { sampler, advance, nodes } = setup(3);
  for (let index = 0; index < 6; index++) {
    nodes[1]!.online = index < 3;
    await sampler.sample();
    advance(5_000);
  }
  t.is(sampler.samples().length, 3);
  t.deepEqual(sampler.samples().map((sample) => sample.at), [1_015_000, 1_020_000, 1_025_000]);
  t.deepEqual(sampler.uptime('a'), { fraction: 1, samples: 3 });
  t.deepEqual(sampler.uptime('b'), { fraction: 0, samples: 3 }, 'offline in the last three samples');
  t.is(sampler.uptime('unknown'), null);
});
