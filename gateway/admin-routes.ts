import { bearerToken, secretsEqual } from '../src/crypto/secrets-equal.ts';
import { Hono } from 'hono';
import { packingAdviceHandler, usageReportHandler } from './billing/usage-routes.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';
import { createKeyHandler, listKeysHandler, revokeKeyHandler } from './keys/key-routes.ts';
import { createJoinTokenHandler, listJoinTokensHandler, revokeJoinTokenHandler } from './nodes/join-token-routes.ts';
import { registerReencryptionRoutes } from './reencrypt/reencryption-routes.ts';
import { registerRepairRoutes } from './repair/repair-routes.ts';
import { payoutsHandler } from './rewards/payout-routes.ts';
import { registerStatusRoute } from './status-route.ts';

/**
 * Operator endpoints under `/_/admin/`, behind `Authorization: Bearer <admin token>`:
 * `metrics` (counters), `nodes` (registered nodes with their health), `usage` (an account's
 * invoice for a time window), `usage/advice` (prefixes whose small objects are worth packing) and
 * `keys` (access keys: create for an account, list, revoke; see keys/key-routes.ts) and
 * `join-tokens` (node join tokens per operator: create, list, revoke; see nodes/join-token-routes.ts).
 */
export function adminRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.use('/_/admin/*', async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === '') return c.json({ error: 'Unauthorized', message: 'send Authorization: Bearer <admin token>' }, 401);
    if (!secretsEqual(token, deps.credentials.adminToken)) {
      return c.json({ error: 'Forbidden', message: 'wrong admin token' }, 403);
    }
    await next();
  });

  app.get('/_/admin/metrics', (c) => {
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    return c.json({ ...deps.metrics, memory: { rssBytes: rss, heapUsedBytes: heapUsed, externalBytes: external, arrayBuffersBytes: arrayBuffers } });
  });

  app.post('/_/admin/keys', createKeyHandler(deps));
  app.get('/_/admin/keys', listKeysHandler(deps));
  app.delete('/_/admin/keys/:accessKeyId', revokeKeyHandler(deps));

  app.post('/_/admin/join-tokens', createJoinTokenHandler(deps));
  app.get('/_/admin/join-tokens', listJoinTokensHandler(deps));
  app.delete('/_/admin/join-tokens/:id', revokeJoinTokenHandler(deps));

  app.get('/_/admin/usage', usageReportHandler(deps));
  app.get('/_/admin/usage/advice', packingAdviceHandler(deps));
  app.get('/_/admin/payouts', payoutsHandler(deps));

  app.get('/_/admin/nodes', (c) => c.json({
    nodes: deps.registry.all().map(({ record }) => ({
      id: record.id,
      url: record.url,
      zone: record.zone,
      operatorId: record.operatorId,
      secretEpoch: record.secretEpoch,
      // online (heartbeats), state: online | offline | lost | draining | drained | disqualified,
      // and the operator's decision (adminState, adminStateSince)
      ...deps.repair.states.describe(record.id),
      capacityBytes: record.capacityBytes,
      freeBytes: record.freeBytes,
      lastHeartbeatAt: record.lastHeartbeatAt.toISOString(),
    })),
  }));

  registerRepairRoutes(app, deps);
  registerReencryptionRoutes(app, deps);
  registerStatusRoute(app, deps);

  return app;
}
