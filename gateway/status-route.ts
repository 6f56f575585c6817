/**
 * `GET /_/admin/status` (admin token): the one-screen view `shardgate status` prints — the cluster
 * health of `/_/admin/health` (same fields, so either answer reads the same) plus the gateway's
 * version and uptime, each node's zone, state, space, last heartbeat and recent read p95, the
 * objects and bytes stored (counted now) and the data bytes in segments (as of the checker's last pass) and the S3 requests and errors of the last minutes.
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { ClusterHealth } from './repair/repair-service.ts';
import type { RecentRequestCounts } from './recent-requests.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';

export interface NodeStatusRow {
  readonly id: string;
  readonly zone: string;
  readonly state: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
  /** Capacity minus free, as the node last reported them. */
  readonly usedBytes: number;
  readonly lastHeartbeatAt: string;
  /** p95 of the node's time to first chunk over its last reads; null before any read. */
  readonly readP95Ms: number | null;
}

export interface GatewayStatus extends ClusterHealth {
  readonly gateway: { readonly version: string; readonly startedAt: string; readonly uptimeSeconds: number };
  readonly nodeList: readonly NodeStatusRow[];
  readonly requests: RecentRequestCounts;
  /** Current objects and the bytes users stored in them (logical sizes, before erasure coding). */
  readonly objects: { readonly count: number; readonly bytes: number };
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function registerStatusRoute(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.get('/_/admin/status', async (c) => {
    const health = await deps.repair.health();
    const objects = await deps.store.countObjects();
    const now = deps.now();
    const status: GatewayStatus = {
      gateway: { version: VERSION, startedAt: deps.startedAt.toISOString(), uptimeSeconds: Math.floor((now.getTime() - deps.startedAt.getTime()) / 1000) },
      ...health,
      nodeList: deps.registry.all().map(({ record }) => ({
        id: record.id,
        zone: record.zone,
        state: deps.repair.states.describe(record.id).state,
        capacityBytes: record.capacityBytes,
        freeBytes: record.freeBytes,
        usedBytes: Math.max(0, record.capacityBytes - record.freeBytes),
        lastHeartbeatAt: record.lastHeartbeatAt.toISOString(),
        readP95Ms: deps.latency.recentP95Ms(record.id),
      })).sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id)),
      requests: deps.prometheus.recent.counts(),
      objects: { count: objects.objects, bytes: objects.bytes },
    };
    return c.json(status);
  });
}
