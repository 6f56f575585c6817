/**
 * The gateway's Prometheus view, `GET /_/metrics` (text exposition format, prom-client), behind
 * `Authorization: Bearer <metrics token>` (`--metrics-token`, default the admin token; a scraper
 * should get its own). One source of truth: every counter of `GatewayMetrics` — the object behind
 * the JSON at `/_/admin/metrics` — is read at scrape time as `shardgate_<name>_total`; request
 * counts and latency histograms by S3 operation, node gauges and process metrics are added here.
 * (`/metrics` itself would be a bucket named "metrics" in path-style S3, so the route lives under `/_/`.)
 */
import { bearerToken, secretsEqual } from '../src/crypto/secrets-equal.ts';
import { Hono } from 'hono';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayDeps, GatewayEnv } from './context.ts';
import type { GatewayMetrics } from './metrics.ts';
import { RecentRequests } from './recent-requests.ts';

export const PROMETHEUS_PATH = '/_/metrics';

/** A node as the gauges show it. */
export interface NodeGaugeRow {
  readonly id: string;
  readonly zone: string;
  readonly state: string;
  readonly freeBytes: number;
  readonly capacityBytes: number;
}

export interface RequestObservation {
  readonly operation: string;
  readonly status: number;
  /** From the request's arrival to its response headers. */
  readonly headersSeconds: number;
  /** From the request's arrival to the last byte handed to the socket (or the client leaving). */
  readonly durationSeconds: number;
  /** Response body bytes that went out. */
  readonly bytesOut: number;
}

/** A GetObject answered 206: the range reads the web console charts (console/metrics-sampler.ts). */
export const RANGE_READ_SECONDS = 'shardgate_s3_range_read_seconds';
export const RANGE_READ_BYTES = 'shardgate_s3_range_read_bytes_total';

const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60];

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export class GatewayPrometheus {
  readonly registry = new Registry();
  readonly #requests: Counter<'operation' | 'status_class'>;
  readonly #headers: Histogram<'operation'>;
  readonly #duration: Histogram<'operation'>;
  readonly #rangeReadSeconds: Histogram;
  readonly #rangeReadBytes: Counter;

  /** S3 requests of the last minutes by status class (the error rate of `shardgate status`). */
  readonly recent: RecentRequests;

  constructor(metrics: GatewayMetrics, nowMs: () => number, nodes: () => readonly NodeGaugeRow[]) {
    this.recent = new RecentRequests(nowMs);
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'shardgate_' });
    for (const key of Object.keys(metrics) as (keyof GatewayMetrics)[]) {
      new Counter({
        name: `shardgate_${snakeCase(key)}_total`,
        help: `GatewayMetrics.${key} (also in /_/admin/metrics)`,
        registers,
        collect() {
          this.reset();
          this.inc(metrics[key]);
        },
      });
    }
    this.#requests = new Counter({
      name: 'shardgate_s3_requests_total', help: 'S3 requests answered, by operation and status class (2xx, 3xx, 4xx, 5xx)',
      labelNames: ['operation', 'status_class'], registers,
    });
    this.#headers = new Histogram({
      name: 'shardgate_s3_response_headers_seconds', help: 'Time from a request to its response headers (time to first byte)',
      labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
    });
    this.#duration = new Histogram({
      name: 'shardgate_s3_request_duration_seconds', help: 'Time from a request to its last byte sent',
      labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
    });
    this.#rangeReadSeconds = new Histogram({
      name: RANGE_READ_SECONDS, help: 'Time from a GetObject answered 206 (a range read) to its last byte sent',
      buckets: LATENCY_BUCKETS, registers,
    });
    this.#rangeReadBytes = new Counter({ name: RANGE_READ_BYTES, help: 'Body bytes sent by GetObject answered 206 (range reads)', registers });
    new Gauge({
      name: 'shardgate_nodes', help: 'Registered shard nodes by state', labelNames: ['state'], registers,
      collect() {
        this.reset();
        for (const node of nodes()) this.inc({ state: node.state });
      },
    });
    new Gauge({
      name: 'shardgate_node_free_bytes', help: 'Free bytes a node last reported', labelNames: ['node', 'zone'], registers,
      collect() {
        this.reset();
        for (const node of nodes()) this.set({ node: node.id, zone: node.zone }, node.freeBytes);
      },
    });
    new Gauge({
      name: 'shardgate_node_capacity_bytes', help: 'Capacity a node last reported', labelNames: ['node', 'zone'], registers,
      collect() {
        this.reset();
        for (const node of nodes()) this.set({ node: node.id, zone: node.zone }, node.capacityBytes);
      },
    });
  }

  observeRequest(observation: RequestObservation): void {
    const { operation } = observation;
    this.#requests.inc({ operation, status_class: `${Math.floor(observation.status / 100)}xx` });
    this.recent.record(observation.status);
    this.#headers.observe({ operation }, observation.headersSeconds);
    this.#duration.observe({ operation }, observation.durationSeconds);
    if (operation === 'GetObject' && observation.status === 206) {
      this.#rangeReadSeconds.observe(observation.durationSeconds);
      this.#rangeReadBytes.inc(observation.bytesOut);
    }
  }
}

/** `GET /_/metrics`: the registry as text, for a bearer of the metrics token only. */
export function prometheusRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.get(PROMETHEUS_PATH, async (c) => {
    if (!secretsEqual(bearerToken(c.req.header('authorization')), deps.config.metricsToken ?? deps.credentials.adminToken)) {
      return c.json({ error: 'Unauthorized', message: 'send Authorization: Bearer <metrics token>' }, 401);
    }
    return c.body(await deps.prometheus.registry.metrics(), 200, { 'content-type': deps.prometheus.registry.contentType });
  });
  return app;
}
