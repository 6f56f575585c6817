import { Pool } from 'undici';
import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeRecord } from '../../src/meta/types.ts';
import { deriveNodeSecret } from '../../src/node-protocol/signature.ts';

export interface NodeView {
  readonly record: NodeRecord;
  readonly secret: string;
  /** Reads (shard ranges, hash lists): never shared with uploads, so slow uploads cannot starve reads. */
  readonly pool: Pool;
  /** Uploads, commits, deletes; sized to the upload limit, so an admitted upload never waits for a connection. */
  readonly writePool: Pool;
}

export interface NodeRegistryOptions {
  readonly store: MetaStore;
  readonly masterKey: string;
  readonly nodeTimeoutMs: number;
  readonly shardTimeoutMs: number;
  /** Connections of each node's write pool (the upload limit plus room for commits and deletes). */
  readonly writeConnections: number;
  readonly now: () => Date;
}

/**
 * The gateway's live view of the shard nodes: records from the store, one keep-alive undici Pool
 * per node, and health. A node is online while its heartbeats are fresh; a connection failure
 * marks it offline at once (until its next heartbeat), so writes stop choosing a dead node
 * without waiting for the heartbeat timeout.
 */
export class NodeRegistry {
  readonly #options: NodeRegistryOptions;
  readonly #nodes = new Map<string, NodeView>();
  readonly #unreachableSince = new Map<string, Date>();

  private constructor(options: NodeRegistryOptions) {
    this.#options = options;
  }

  static async load(options: NodeRegistryOptions): Promise<NodeRegistry> {
    const registry = new NodeRegistry(options);
    for (const record of await options.store.listNodes()) registry.#install(record);
    return registry;
  }

  secretFor(nodeId: string): string {
    return deriveNodeSecret(this.#options.masterKey, nodeId);
  }

  /** Registration: a node (re)announces itself; its URL may have changed since last time. */
  async register(record: NodeRecord): Promise<void> {
    await this.#options.store.upsertNode(record);
    this.#install(record);
    this.#unreachableSince.delete(record.id);
  }

  async heartbeat(nodeId: string, freeBytes: number, capacityBytes: number): Promise<boolean> {
    const view = this.#nodes.get(nodeId);
    if (!view) return false;
    const at = this.#options.now();
    await this.#options.store.recordHeartbeat(nodeId, freeBytes, capacityBytes, at);
    this.#nodes.set(nodeId, { ...view, record: { ...view.record, freeBytes, capacityBytes, lastHeartbeatAt: at } });
    this.#unreachableSince.delete(nodeId);
    return true;
  }

  get(nodeId: string): NodeView | undefined {
    return this.#nodes.get(nodeId);
  }

  isOnline(nodeId: string): boolean {
    const view = this.#nodes.get(nodeId);
    if (!view || this.#unreachableSince.has(nodeId)) return false;
    return this.#options.now().getTime() - view.record.lastHeartbeatAt.getTime() <= this.#options.nodeTimeoutMs;
  }

  online(): NodeView[] {
    return [...this.#nodes.values()].filter((view) => this.isOnline(view.record.id));
  }

  all(): NodeView[] {
    return [...this.#nodes.values()];
  }

  /** Called by the shard client when a node refuses connections or times out. */
  markUnreachable(nodeId: string): void {
    if (!this.#unreachableSince.has(nodeId)) this.#unreachableSince.set(nodeId, this.#options.now());
  }

  async close(): Promise<void> {
    await Promise.all([...this.#nodes.values()].flatMap((view) => [view.pool, view.writePool].map((pool) => pool.close().catch(() => {}))));
    this.#nodes.clear();
  }

  #install(record: NodeRecord): void {
    const existing = this.#nodes.get(record.id);
    if (existing && existing.record.url === record.url) {
      this.#nodes.set(record.id, { ...existing, record });
      return;
    }
    existing?.pool.close().catch(() => {});
    existing?.writePool.close().catch(() => {});
    const timeout = this.#options.shardTimeoutMs;
    const poolOptions = { keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout } };
    const pool = new Pool(record.url, { ...poolOptions, connections: 64 });
    const writePool = new Pool(record.url, { ...poolOptions, connections: this.#options.writeConnections });
    this.#nodes.set(record.id, { record, secret: this.secretFor(record.id), pool, writePool });
  }
}
