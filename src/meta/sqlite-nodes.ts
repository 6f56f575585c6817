import { toNode, type NodeRow } from './sqlite-rows.ts';
import type { Statements } from './sqlite-statements.ts';
import type { NodeRecord } from './types.ts';

/**
 * The shard-node registry in the SQLite store (table `nodes`): registrations, heartbeats and
 * lookups. Each method is one statement, so none needs a transaction.
 */
export class SqliteNodes {
  constructor(private readonly sql: Statements) {}

  upsert(node: NodeRecord): void {
    this.sql.upsertNode.run(
      node.id, node.url, node.zone, node.capacityBytes, node.freeBytes,
      node.registeredAt.getTime(), node.lastHeartbeatAt.getTime(),
      node.operatorId, node.publicKey, node.secret, node.secretEpoch, node.lastSignedAtMs,
    );
  }

  /** False when no node has the id. */
  recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): boolean {
    return this.sql.heartbeat.run(freeBytes, capacityBytes, at.getTime(), nodeId).changes > 0;
  }

  get(id: string): NodeRecord | null {
    const row = this.sql.nodeById.get(id) as NodeRow | undefined;
    return row ? toNode(row) : null;
  }

  list(): NodeRecord[] {
    return (this.sql.nodes.all() as NodeRow[]).map(toNode);
  }
}
