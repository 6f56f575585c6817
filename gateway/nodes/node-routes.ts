import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import {
  NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH, NodeMessageError, parseNodeHeartbeatRequest, parseNodeRegisterRequest,
  type NodeRegisterResponse,
} from '../../src/node-protocol/routes.ts';
import { verifyNodeRequest } from '../../src/node-protocol/signature.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';

/** How often nodes are asked to heartbeat: a third of the offline timeout, so one lost beat is harmless. */
export function heartbeatIntervalFor(nodeTimeoutMs: number): number {
  return Math.max(50, Math.floor(nodeTimeoutMs / 3));
}

/** The two endpoints shard nodes call: registration (join token) and signed heartbeats. */
export function nodeRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.post(NODE_REGISTER_PATH, async (c) => {
    const body = parseNodeMessage(await c.req.json().catch(() => null), parseNodeRegisterRequest);
    if (!body) return c.json({ error: 'INVALID_REQUEST', message: 'malformed registration' }, 400);
    if (!sameSecret(body.joinToken, deps.credentials.joinToken)) {
      deps.logger.warn('node_registration_refused', { nodeId: body.nodeId, url: body.url });
      return c.json({ error: 'FORBIDDEN', message: 'wrong join token' }, 403);
    }
    const now = deps.now();
    const previous = await deps.store.getNode(body.nodeId);
    await deps.registry.register({
      id: body.nodeId, url: body.url, zone: body.zone, capacityBytes: body.capacityBytes, freeBytes: body.freeBytes,
      registeredAt: previous?.registeredAt ?? now, lastHeartbeatAt: now,
    });
    deps.logger.info('node_registered', { nodeId: body.nodeId, url: body.url, zone: body.zone, freeBytes: body.freeBytes });
    const response: NodeRegisterResponse = {
      secret: deps.registry.secretFor(body.nodeId),
      heartbeatIntervalMs: heartbeatIntervalFor(deps.config.nodeTimeoutMs),
    };
    return c.json(response);
  });

  app.post(NODE_HEARTBEAT_PATH, async (c) => {
    const body = parseNodeMessage(await c.req.json().catch(() => null), parseNodeHeartbeatRequest);
    if (!body) return c.json({ error: 'INVALID_REQUEST', message: 'malformed heartbeat' }, 400);
    const verdict = verifyNodeRequest(
      deps.registry.secretFor(body.nodeId),
      { method: 'POST', pathWithQuery: NODE_HEARTBEAT_PATH, headers: (name) => c.req.header(name) },
      Math.floor(deps.now().getTime() / 1000),
    );
    if (verdict !== 'ok') return c.json({ error: 'FORBIDDEN', message: `signature ${verdict}` }, 403);
    if (!(await deps.registry.heartbeat(body.nodeId, body.freeBytes, body.capacityBytes))) {
      return c.json({ error: 'NOT_REGISTERED', message: 'register first' }, 404);
    }
    return c.body(null, 204);
  });

  return app;
}

function parseNodeMessage<T>(body: unknown, parse: (body: unknown) => T): T | null {
  try {
    return parse(body);
  } catch (error) {
    if (error instanceof NodeMessageError) return null;
    throw error;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
