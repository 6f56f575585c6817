/**
 * The node's `GET /metrics` on a real node: 401 without the token and no figures, 404 when no token
 * is configured, and counters that move with real requests (parsed by a Prometheus text parser).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { shardCommitPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { routeOf } from './node-metrics.ts';
import { rawRequest, startTestNode } from './test-support.ts';

interface Family { name: string; metrics: { value?: string; count?: string; labels?: Record<string, string> }[] }

const TOKEN = 'node-scraper-token';

async function scrape(url: string): Promise<Map<string, Family> & { text: string }> {
  const response = await rawRequest(url, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  if (response.status !== 200) throw new Error(`metrics answered ${response.status}`);
  const text = response.body.toString('utf8');
  return Object.assign(new Map((parsePrometheusTextFormat(text) as Family[]).map((family) => [family.name, family])), { text });
}

/** A histogram's count for one label set (the parser drops histogram labels, so read the text). */
function histogramCount(text: string, name: string, labels: string): number {
  const match = new RegExp(`^${name}_count\\{${labels}\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const sample = families.get(name)?.metrics.find((metric) => Object.entries(labels).every(([label, text]) => metric.labels?.[label] === text));
  return Number(sample?.value ?? sample?.count ?? 0);
}

test('requests by route and status, bytes written and read, shards, space, connections; 401 without the token', async (t) => {
  const node = await startTestNode(t, { config: { metricsToken: TOKEN } });
  const refused = await rawRequest(node.node.url, { method: 'GET', path: '/metrics' });
  t.is(refused.status, 401);
  t.notRegex(refused.body.toString(), /shardgate_node_/);
  const wrong = await rawRequest(node.node.url, { method: 'GET', path: '/metrics', headers: { authorization: 'Bearer nope' } });
  t.is(wrong.status, 401);

  const before = await scrape(node.node.url);
  const id = `${randomBytes(16).toString('hex')}.1`;
  const data = randomBytes(3 * 4096);
  t.is((await node.request({ method: 'PUT', path: shardUploadPath(id, 4096), body: data })).status, 200);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, 4096)) })).status, 204);
  const read = await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=4096-8191' });
  t.is(read.status, 206);
  t.true(read.body.equals(data.subarray(4096, 8192)));
  t.is((await node.request({ method: 'GET', path: shardPath(`${randomBytes(16).toString('hex')}.0`) })).status, 404);

  const after = await scrape(node.node.url);
  t.is(value(after, 'shardgate_node_requests_total', { route: 'shard_upload', status: '200' }) - value(before, 'shardgate_node_requests_total', { route: 'shard_upload', status: '200' }), 1);
  t.is(value(after, 'shardgate_node_requests_total', { route: 'commit', status: '204' }) - value(before, 'shardgate_node_requests_total', { route: 'commit', status: '204' }), 1);
  t.is(value(after, 'shardgate_node_requests_total', { route: 'shard_read', status: '206' }) - value(before, 'shardgate_node_requests_total', { route: 'shard_read', status: '206' }), 1);
  t.is(value(after, 'shardgate_node_requests_total', { route: 'shard_read', status: '404' }) - value(before, 'shardgate_node_requests_total', { route: 'shard_read', status: '404' }), 1);
  t.is(value(after, 'shardgate_node_written_bytes_total') - value(before, 'shardgate_node_written_bytes_total'), data.length);
  t.is(value(after, 'shardgate_node_read_bytes_total') - value(before, 'shardgate_node_read_bytes_total'), 4096);
  t.is(value(after, 'shardgate_node_shards') - value(before, 'shardgate_node_shards'), 1);
  t.true(value(after, 'shardgate_node_used_bytes') >= data.length);
  t.true(value(after, 'shardgate_node_free_bytes') > 0);
  t.true(value(after, 'shardgate_node_capacity_bytes') >= value(after, 'shardgate_node_free_bytes'));
  t.true(value(after, 'shardgate_node_open_connections') >= 1, 'the scrape\'s own connection');
  t.is(histogramCount(after.text, 'shardgate_node_request_duration_seconds', 'route="shard_read"') - histogramCount(before.text, 'shardgate_node_request_duration_seconds', 'route="shard_read"'), 2);
  t.true(after.has('shardgate_node_process_resident_memory_bytes'));
});

test('without --metrics-token the route is off: 404, no figures', async (t) => {
  const node = await startTestNode(t);
  const response = await rawRequest(node.node.url, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(response.status, 404);
  t.notRegex(response.body.toString(), /shardgate_node_/);
});

test('route labels are a closed set', (t) => {
  t.is(routeOf('GET', '/shards/abc.1'), 'shard_read');
  t.is(routeOf('PUT', '/shards/abc.1'), 'shard_upload');
  t.is(routeOf('DELETE', '/shards/abc.1'), 'shard_delete');
  t.is(routeOf('POST', '/shards/abc.1/commit'), 'commit');
  t.is(routeOf('GET', '/shards/abc.1/hashes'), 'hash_list');
  t.is(routeOf('GET', '/shards'), 'shard_list');
  t.is(routeOf('GET', '/anything/else'), 'other');
});
