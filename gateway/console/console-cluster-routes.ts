import { Hono } from 'hono';
import { consoleError, type ConsoleDeps, type ConsoleEnv } from './console-context.ts';

const AUDIT_PAGE = 50;

/**
 * What the console shows of the cluster, behind a session (the page refreshes these every few
 * seconds, so they are not audited themselves): `GET /api/health` (the admin API's
 * `/_/admin/health`, the same object), `GET /api/nodes` (one row per registered node),
 * `GET /api/range-reads` (the sampler's ring) and `GET /api/audit[?before=ID]` (the admin audit
 * log, newest first, 50 a page).
 */
export function consoleClusterRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { gateway } = deps;
  /** Operator names never change: looked up once per id. */
  const operatorNames = new Map<string, string>();

  app.get('/api/health', async (c) => c.json(await gateway.repair.health()));

  app.get('/api/nodes', async (c) => {
    const views = gateway.registry.all();
    for (const { record } of views) {
      if (record.operatorId !== null && !operatorNames.has(record.operatorId)) {
        const operator = await gateway.store.getOperator(record.operatorId);
        if (operator) operatorNames.set(operator.id, operator.name);
      }
    }
    const windowSeconds = (deps.sampler.intervalMs * deps.sampler.capacity) / 1000;
    return c.json({
      uptimeWindowSeconds: windowSeconds,
      sampleIntervalSeconds: deps.sampler.intervalMs / 1000,
      nodes: views.map(({ record }) => {
        const states = gateway.repair.states.describe(record.id);
        return {
          id: record.id,
          zone: record.zone,
          operator: record.operatorId === null ? null : operatorNames.get(record.operatorId) ?? record.operatorId,
          state: states.state,
          online: states.online,
          capacityBytes: record.capacityBytes,
          freeBytes: record.freeBytes,
          usedBytes: Math.max(0, record.capacityBytes - record.freeBytes),
          lastHeartbeatAt: record.lastHeartbeatAt.toISOString(),
          uptime: deps.sampler.uptime(record.id),
          audit: gateway.repair.auditor.scoreOf(record.id),
          recentFirstChunkMs: gateway.latency.recentMedianMs(record.id),
        };
      }).sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id)),
    });
  });

  app.get('/api/range-reads', (c) => c.json({
    sampleIntervalSeconds: deps.sampler.intervalMs / 1000,
    samples: deps.sampler.samples(),
  }));

  app.get('/api/audit', async (c) => {
    const raw = c.req.query('before');
    const before = raw === undefined ? undefined : Number(raw);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) {
      return consoleError(c, 400, 'InvalidParameter', `before must be an entry id (a positive integer), got "${raw}"`);
    }
    const entries = await gateway.store.listAdminAudit({ before, limit: AUDIT_PAGE });
    return c.json({
      entries: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
      nextBefore: entries.length === AUDIT_PAGE ? entries.at(-1)!.id : null,
    });
  });

  return app;
}
