import type { Context, Hono } from 'hono';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { UnknownNodeError } from './node-states.ts';
import type { NodeRepairView } from './repair-service.ts';

type NodeAction = 'drain' | 'undrain' | 'forget' | 'disqualify';
const ACTIONS: readonly NodeAction[] = ['drain', 'undrain', 'forget', 'disqualify'];

/**
 * Repair's operator endpoints, registered on the admin app (behind its bearer-token check):
 * `GET /_/admin/health` (nodes by state, segments by healthy shards, repair queue, repaired
 * totals), `GET /_/admin/nodes/<id>` (state and shard count: drain progress) and
 * `POST /_/admin/nodes/<id>/{drain,undrain,forget,disqualify}`. Unknown ids are 404 NoSuchNode.
 */
export function registerRepairRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.get('/_/admin/health', async (c) => c.json(await deps.repair.health()));

  app.get('/_/admin/nodes/:nodeId', (c) => answer(c, () => deps.repair.node(c.req.param('nodeId'))));

  app.post('/_/admin/nodes/:nodeId/:action', (c) => {
    const action = c.req.param('action') as NodeAction;
    if (!ACTIONS.includes(action)) {
      return c.json({ error: 'NotFound', message: `unknown node action "${action}" (${ACTIONS.join(', ')})` }, 404);
    }
    return answer(c, () => deps.repair[action](c.req.param('nodeId')));
  });
}

async function answer(c: Context<GatewayEnv>, run: () => Promise<NodeRepairView>): Promise<Response> {
  try {
    return c.json(await run());
  } catch (error) {
    if (error instanceof UnknownNodeError) return c.json({ error: 'NoSuchNode', message: error.message }, 404);
    throw error;
  }
}
