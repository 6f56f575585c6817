import type { Handler } from 'hono';
import { Hono } from 'hono';
import { parseUsageWindow } from '../../src/billing/usage-window.ts';
import { earningsMessage, NODE_EARNINGS_PATH, parseNodeEarningsRequest } from '../../src/node-protocol/earnings.ts';
import { SIGNED_AT_WINDOW_MS, verifyNodeKeySignature } from '../../src/node-protocol/node-key.ts';
import { NodeMessageError, type NodeRefusal } from '../../src/node-protocol/routes.ts';
import type { NodeRecord } from '../../src/meta/types.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { checkParameters, parameterError } from '../billing/usage-routes.ts';
import { computePayoutReport } from './payout-report.ts';

const ADMIN_PARAMETERS = ['node', 'from', 'to'] as const;

/**
 * `GET /_/admin/payouts[?node=ID][&from=TIME][&to=TIME]` (behind the admin token, see
 * admin-routes.ts): payout statements for the window, one node's or every known node's (by id),
 * as a PayoutReport. `from` defaults to the start of the current UTC month, `to` to now (a `to` in
 * the future is cut at now); both are ISO 8601, as for `/_/admin/usage`. The meter is flushed
 * first, so the answer includes everything observed before it. Errors: 400 `InvalidParameter`
 * naming the parameter (malformed, reversed or future window, unknown parameter), 404 `NoSuchNode`.
 */
export function payoutsHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function payouts(c) {
    try {
      checkParameters(c, ADMIN_PARAMETERS);
      const window = parseUsageWindow({ from: c.req.query('from'), to: c.req.query('to') }, deps.now());
      const nodeId = c.req.query('node');
      let nodes: NodeRecord[];
      if (nodeId === undefined) {
        nodes = await deps.store.listNodes();
      } else {
        const node = nodeId === '' ? null : await deps.store.getNode(nodeId);
        if (!node) return c.json({ error: 'NoSuchNode', parameter: 'node', message: `node "${nodeId.slice(0, 64)}" is not registered` }, 404);
        nodes = [node];
      }
      await deps.rewards.flush();
      return c.json(await computePayoutReport(deps.store, nodes, window, deps.config.payoutPrices));
    } catch (error) {
      return parameterError(c, error);
    }
  };
}

/**
 * `POST /_/nodes/earnings`: a node's own statement, asked with its own key (src/node-protocol/
 * earnings.ts). The request names the node and is verified with that node's registered public
 * key, so a node's credential can read its own statement and no other. A signed time outside
 * ±5 minutes of the gateway's clock, or not newer than the node's last accepted request, is
 * refused (403 SIGNED_AT_STALE with the gateway's time, so the node can correct and re-sign).
 */
export function earningsRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  /** Signed time of each node's latest accepted request: a replay is not newer. */
  const lastSignedAtMs = new Map<string, number>();

  app.post(NODE_EARNINGS_PATH, async (c) => {
    let request;
    try {
      request = parseNodeEarningsRequest(await c.req.json().catch(() => null));
    } catch (error) {
      if (!(error instanceof NodeMessageError)) throw error;
      return c.json({ error: 'INVALID_REQUEST', message: `malformed earnings request: ${error.message}` } satisfies NodeRefusal, 400);
    }
    const node = await deps.store.getNode(request.nodeId);
    if (!node || node.publicKey === null) return c.json({ error: 'NOT_REGISTERED', message: 'no node with this id has registered a key' } satisfies NodeRefusal, 404);
    if (!verifyNodeKeySignature(node.publicKey, earningsMessage(request), request.signature)) {
      deps.logger.warn('node_earnings_refused', { nodeId: request.nodeId.slice(0, 64), reason: 'SIGNATURE_INVALID' });
      return c.json({ error: 'SIGNATURE_INVALID', message: 'the request is not signed by this node\'s key' } satisfies NodeRefusal, 403);
    }
    const nowMs = deps.now().getTime();
    if (Math.abs(request.signedAtMs - nowMs) > SIGNED_AT_WINDOW_MS || request.signedAtMs <= (lastSignedAtMs.get(node.id) ?? 0)) {
      return c.json({ error: 'SIGNED_AT_STALE', message: 'the request is stale or replayed', gatewayTimeMs: nowMs } satisfies NodeRefusal, 403);
    }
    lastSignedAtMs.set(node.id, request.signedAtMs);
    try {
      const window = parseUsageWindow({ from: request.from || undefined, to: request.to || undefined }, deps.now());
      await deps.rewards.flush();
      return c.json(await computePayoutReport(deps.store, [node], window, deps.config.payoutPrices));
    } catch (error) {
      return parameterError(c, error);
    }
  });

  return app;
}

