import { Hono } from 'hono';
import {
  NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH, NODE_SCRUB_REPORT_PATH, NodeMessageError, parseNodeHeartbeatRequest, parseNodeRegisterRequest, parseNodeScrubReport,
  type NodeRefusal, type NodeRegisterResponse,
} from '../../src/node-protocol/routes.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { admitRegistration, checkScrubReport } from './node-admission.ts';

/** How often nodes are asked to heartbeat: a third of the offline timeout, so one lost beat is harmless. */
export function heartbeatIntervalFor(nodeTimeoutMs: number): number {
  return Math.max(50, Math.floor(nodeTimeoutMs / 3));
}

/**
 * The two endpoints shard nodes call, both signed with the node's Ed25519 key: registration (see
 * node-admission.ts for who is admitted) and heartbeats. Registrations of one node id run one at
 * a time, so two racing claims of a new id cannot both bind a key.
 */
export function nodeRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  const registering = new Map<string, Promise<unknown>>();

  app.post(NODE_REGISTER_PATH, async (c) => {
    const body = parseNodeMessage(await c.req.json().catch(() => null), parseNodeRegisterRequest);
    if (!body) return c.json({ error: 'INVALID_REQUEST', message: 'malformed registration' } satisfies NodeRefusal, 400);
    const previousTurn = registering.get(body.nodeId) ?? Promise.resolve();
    const turn = previousTurn.catch(() => {}).then(async () => {
      const admission = await admitRegistration(deps.store, body, deps.now());
      if (admission.admitted) await deps.registry.register(admission.record);
      return admission;
    });
    registering.set(body.nodeId, turn);
    let admission;
    try {
      admission = await turn;
    } finally {
      if (registering.get(body.nodeId) === turn) registering.delete(body.nodeId);
    }
    if (!admission.admitted) {
      // Never the token, key or signature: who tried, from where, and why it was refused.
      deps.logger.warn('node_registration_refused', {
        nodeId: body.nodeId.slice(0, 64), url: body.url.slice(0, 200), reason: admission.refusal.error,
        remoteAddress: c.env?.incoming?.socket?.remoteAddress,
      });
      return c.json(admission.refusal, admission.status);
    }
    const { record, previous } = admission;
    deps.logger.info('node_registered', {
      nodeId: record.id, url: record.url, zone: record.zone, operatorId: record.operatorId, freeBytes: record.freeBytes,
      secretEpoch: record.secretEpoch, ...(previous && previous.url !== record.url ? { movedFrom: previous.url } : {}),
    });
    if (admission.keyBoundNow && previous) {
      deps.logger.warn('node_key_bound_on_first_use', { nodeId: record.id, url: record.url });
    }
    const response: NodeRegisterResponse = {
      secret: record.secret!,
      secretEpoch: record.secretEpoch,
      heartbeatIntervalMs: heartbeatIntervalFor(deps.config.nodeTimeoutMs),
      ...(record.operatorId ? { operatorId: record.operatorId } : {}),
    };
    return c.json(response);
  });

  app.post(NODE_HEARTBEAT_PATH, async (c) => {
    const body = parseNodeMessage(await c.req.json().catch(() => null), parseNodeHeartbeatRequest);
    if (!body) return c.json({ error: 'INVALID_REQUEST', message: 'malformed heartbeat' } satisfies NodeRefusal, 400);
    if (await deps.store.getNodeTombstone(body.nodeId)) {
      return c.json({ error: 'NODE_TOMBSTONED', message: 'this node id was removed from the cluster' } satisfies NodeRefusal, 403);
    }
    const refusal = await deps.registry.heartbeat(body);
    if (refusal === null) return c.body(null, 204);
    if (refusal.error !== 'URL_MISMATCH' && refusal.error !== 'NOT_REGISTERED') {
      deps.logger.warn('node_heartbeat_refused', { nodeId: body.nodeId.slice(0, 64), reason: refusal.error });
    }
    return c.json(refusal, refusal.error === 'NOT_REGISTERED' ? 404 : 403);
  });

  // A node's scrub found shards it holds corrupt: queue exactly those the metadata places on it.
  app.post(NODE_SCRUB_REPORT_PATH, async (c) => {
    const body = parseNodeMessage(await c.req.json().catch(() => null), parseNodeScrubReport);
    if (!body) return c.json({ error: 'INVALID_REQUEST', message: 'malformed scrub report' } satisfies NodeRefusal, 400);
    const view = deps.registry.get(body.nodeId);
    if (!view) return c.json({ error: 'NOT_REGISTERED', message: 'register first' } satisfies NodeRefusal, 404);
    const refusal = checkScrubReport(view.record, body, deps.now());
    if (refusal) return c.json(refusal, 403);
    let accepted = 0;
    for (const shard of body.corruptShards) {
      const [segmentId, index] = shard.split('.') as [string, string];
      const placement = await deps.store.getSegmentPlacement(segmentId);
      if (!placement?.shards.some((placed) => placed.shardIndex === Number(index) && placed.nodeId === body.nodeId)) continue;
      deps.repairSignals.shardScrubbedCorrupt(segmentId, Number(index), body.nodeId, placement.shards.length);
      accepted++;
    }
    deps.logger.warn('node_scrub_reported_corrupt', { nodeId: body.nodeId, reported: body.corruptShards.length, queued: accepted });
    return c.json({ accepted });
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
