/**
 * The gateway's Prometheus endpoint, read as Prometheus would: the text parsed by a Prometheus
 * text-format parser, counters that move by exactly the requests made, and nothing for a caller
 * without the metrics token.
 */
import test from 'ava';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { useSharedCluster } from './shared-cluster.ts';

const METRICS_TOKEN = 'scraper-token-for-tests';
const cluster = useSharedCluster(test, { gatewayArgs: ['--metrics-token', METRICS_TOKEN] });

interface Family { name: string; type: string; metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[] }

async function scrape(token = METRICS_TOKEN): Promise<{ status: number; families: Map<string, Family>; text: string }> {
  const response = await fetch(`${cluster().gatewayUrl}/_/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const families = response.status === 200 ? new Map((parsePrometheusTextFormat(text) as Family[]).map((family) => [family.name, family])) : new Map();
  return { status: response.status, families, text };
}

function sampleValue(family: Family | undefined, labels: Record<string, string>): number {
  const sample = family?.metrics.find((metric) => Object.entries(labels).every(([name, value]) => metric.labels?.[name] === value));
  return Number(sample?.value ?? sample?.count ?? 0);
}

test.serial('a GET raises shardgate_s3_requests_total{operation="GetObject"} by one and feeds the latency histograms', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'prom' }));
  // Past --inline-max-bytes (4 KiB), so the GET reads shards from the nodes.
  const body = 'hello prometheus\n'.repeat(512);
  await s3.send(new PutObjectCommand({ Bucket: 'prom', Key: 'a', Body: body }));
  const before = await scrape();
  t.is(before.status, 200);
  t.regex(before.text, /^# HELP /m);
  const got = await s3.send(new GetObjectCommand({ Bucket: 'prom', Key: 'a' }));
  t.is(await got.Body!.transformToString(), body);
  // The request is counted when its response has closed: give the close event a moment.
  let after = await scrape();
  for (let i = 0; i < 50 && sampleValue(after.families.get('shardgate_s3_requests_total'), { operation: 'GetObject', status_class: '2xx' }) === sampleValue(before.families.get('shardgate_s3_requests_total'), { operation: 'GetObject', status_class: '2xx' }); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    after = await scrape();
  }
  const requests = (scraped: typeof before) => sampleValue(scraped.families.get('shardgate_s3_requests_total'), { operation: 'GetObject', status_class: '2xx' });
  t.is(requests(after), requests(before) + 1);
  t.is(after.families.get('shardgate_s3_requests_total')?.type, 'COUNTER');
  t.is(after.families.get('shardgate_s3_request_duration_seconds')?.type, 'HISTOGRAM');
  // Every answered GetObject is one observation of each histogram (read from the text: this parser
  // drops a histogram's labels).
  for (const histogram of ['shardgate_s3_request_duration_seconds', 'shardgate_s3_response_headers_seconds']) {
    const count = new RegExp(`^${histogram}_count\\{operation="GetObject"\\} (\\d+)$`, 'm').exec(after.text);
    t.is(Number(count?.[1]), requests(after), histogram);
  }
  t.true(sampleValue(after.families.get('shardgate_shard_reads_total'), {}) > sampleValue(before.families.get('shardgate_shard_reads_total'), {}));
  t.is(sampleValue(after.families.get('shardgate_nodes'), { state: 'online' }), 6);
  t.is(after.families.get('shardgate_node_free_bytes')?.metrics.length, 6);
  t.truthy(after.families.get('shardgate_process_resident_memory_bytes'));
});

test.serial('/_/metrics without the metrics token answers 401 and no figures', async (t) => {
  for (const token of ['', 'wrong-token', cluster().adminToken]) {
    const refused = await scrape(token);
    t.is(refused.status, 401, `token "${token}"`);
    t.notRegex(refused.text, /shardgate_/);
  }
});
