import type { Sql } from './postgres-db.ts';
import { toNode, type NodeRow } from './sqlite-rows.ts';
import type { NodeRecord } from './types.ts';

/** The shard-node registry in the PostgreSQL store (table `nodes`): one statement per method. */
export const NODE_SQL = {
  upsertNode: `INSERT INTO nodes (id, url, zone, capacity_bytes, free_bytes, registered_at, last_heartbeat_at,
      operator_id, public_key, secret, secret_epoch, last_signed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (id) DO UPDATE SET url = excluded.url, zone = excluded.zone,
      capacity_bytes = excluded.capacity_bytes, free_bytes = excluded.free_bytes,
      registered_at = excluded.registered_at, last_heartbeat_at = excluded.last_heartbeat_at,
      operator_id = excluded.operator_id, public_key = excluded.public_key, secret = excluded.secret,
      secret_epoch = excluded.secret_epoch, last_signed_at = excluded.last_signed_at`,
  heartbeat: 'UPDATE nodes SET free_bytes = $1, capacity_bytes = $2, last_heartbeat_at = $3 WHERE id = $4',
  nodeById: 'SELECT * FROM nodes WHERE id = $1',
  nodes: 'SELECT * FROM nodes ORDER BY id',
} as const;

export async function upsertNode(sql: Sql, node: NodeRecord): Promise<void> {
  await sql.run(NODE_SQL.upsertNode, [
    node.id, node.url, node.zone, node.capacityBytes, node.freeBytes, node.registeredAt.getTime(), node.lastHeartbeatAt.getTime(),
    node.operatorId, node.publicKey, node.secret, node.secretEpoch, node.lastSignedAtMs,
  ]);
}

/** False when no node has the id. */
export async function recordHeartbeat(sql: Sql, nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<boolean> {
  return await sql.run(NODE_SQL.heartbeat, [freeBytes, capacityBytes, at.getTime(), nodeId]) > 0;
}

export async function getNode(sql: Sql, id: string): Promise<NodeRecord | null> {
  const row = await sql.one<NodeRow>(NODE_SQL.nodeById, [id]);
  return row ? toNode(row) : null;
}

export async function listNodes(sql: Sql): Promise<NodeRecord[]> {
  return (await sql.rows<NodeRow>(NODE_SQL.nodes)).map(toNode);
}
