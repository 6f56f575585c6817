/**
 * The shard node's Prometheus view, `GET /metrics` (text exposition format, prom-client, its own
 * registry), behind `Authorization: Bearer <--metrics-token>`; without a token configured the
 * route answers 404 and shows nothing. Requests are observed from the same place that writes each
 * request's log line (`RequestObserver`), so the figures and the logs agree.
 */
import { bearerToken, secretsEqual } from '../src/crypto/secrets-equal.ts';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeSpace } from './disk-space.ts';

export const NODE_METRICS_PATH = '/metrics';

/** One finished (or abandoned) request, as its log line tells it. */
export interface RequestObservation {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Upload body bytes for PUT/POST, response body bytes otherwise. */
  readonly bytes: number;
  readonly ms: number;
}

export type RequestObserver = (observation: RequestObservation) => void;

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60];

/** A bounded set of route labels (a path never becomes a label). */
export function routeOf(method: string, path: string): string {
  if (/^\/shards\/[^/]+\/commit$/.test(path)) return 'commit';
  if (/^\/shards\/[^/]+\/hashes$/.test(path)) return 'hash_list';
  if (/^\/shards\/[^/]+$/.test(path)) {
    if (method === 'GET' || method === 'HEAD') return 'shard_read';
    if (method === 'PUT') return 'shard_upload';
    if (method === 'DELETE') return 'shard_delete';
  }
  if (path === '/shards') return 'shard_list';
  if (path === '/status') return 'status';
  if (path === '/health') return 'health';
  return 'other';
}

export interface NodeMetricsSources {
  readonly readSpace: () => Promise<NodeSpace>;
  readonly usage: () => { readonly usedBytes: number; readonly shardCount: number };
  readonly server: () => Server | null;
  readonly inFlight: () => number;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'status'>;
  readonly #duration: Histogram<'route'>;
  readonly #readBytes: Counter;
  readonly #writtenBytes: Counter;

  constructor(sources: NodeMetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'shardgate_node_' });
    this.#requests = new Counter({ name: 'shardgate_node_requests_total', help: 'Requests answered, by route and HTTP status', labelNames: ['route', 'status'], registers });
    this.#duration = new Histogram({ name: 'shardgate_node_request_duration_seconds', help: 'Time from a request to its last byte sent', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers });
    this.#readBytes = new Counter({ name: 'shardgate_node_read_bytes_total', help: 'Shard bytes sent to the gateway (shard reads)', registers });
    this.#writtenBytes = new Counter({ name: 'shardgate_node_written_bytes_total', help: 'Shard bytes received from the gateway (shard uploads)', registers });
    const space = async (pick: (space: NodeSpace) => number) => pick(await sources.readSpace());
    new Gauge({ name: 'shardgate_node_capacity_bytes', help: 'Space offered (--capacity, or the disk)', registers, async collect() { this.set(await space((s) => s.capacityBytes)); } });
    new Gauge({ name: 'shardgate_node_free_bytes', help: 'Free space as reported to the gateway', registers, async collect() { this.set(await space((s) => s.freeBytes)); } });
    new Gauge({ name: 'shardgate_node_used_bytes', help: 'Bytes of committed shard files and hash lists', registers, collect() { this.set(sources.usage().usedBytes); } });
    new Gauge({ name: 'shardgate_node_shards', help: 'Committed shards held', registers, collect() { this.set(sources.usage().shardCount); } });
    new Gauge({ name: 'shardgate_node_requests_in_flight', help: 'Requests being answered', registers, collect() { this.set(sources.inFlight()); } });
    new Gauge({
      name: 'shardgate_node_open_connections', help: 'Open client connections', registers,
      async collect() {
        const server = sources.server();
        this.set(server ? await new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count))) : 0);
      },
    });
  }

  readonly observe: RequestObserver = (observation) => {
    const route = routeOf(observation.method, observation.path);
    this.#requests.inc({ route, status: String(observation.status) });
    this.#duration.observe({ route }, observation.ms / 1000);
    if (route === 'shard_read' && observation.method === 'GET') this.#readBytes.inc(observation.bytes);
    if (route === 'shard_upload') this.#writtenBytes.inc(observation.bytes);
  };

  /** Answers `GET /metrics` when the request is one (true), else leaves it alone (false). */
  serve(token: string | null, request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== NODE_METRICS_PATH) return false;
    const json = (status: number, error: string, message: string) => {
      const body = JSON.stringify({ error, message });
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    };
    if (token === null) {
      json(404, 'NOT_FOUND', 'metrics are off: start the node with --metrics-token (SHARDGATE_NODE_METRICS_TOKEN)');
      return true;
    }
    if (!secretsEqual(bearerToken(request.headers.authorization), token)) {
      json(401, 'UNAUTHORIZED', 'send Authorization: Bearer <metrics token>');
      return true;
    }
    this.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': this.registry.contentType, 'content-length': String(Buffer.byteLength(text)) }).end(text),
      () => json(500, 'INTERNAL_ERROR', 'metrics could not be collected'),
    );
    return true;
  }
}
