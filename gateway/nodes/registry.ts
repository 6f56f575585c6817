import { Pool } from 'undici';
import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeRecord } from '../../src/meta/types.ts';
import type { NodeHeartbeatRequest, NodeRefusal } from '../../src/node-protocol/routes.ts';
import type { PlacementCandidate } from '../placement.ts';
import { checkHeartbeat } from './node-admission.ts';
import { pinnedNodeConnector } from './pinned-connector.ts';

export interface NodeView {
  readonly record: NodeRecord;
  /** The node's current request secret ('' for a node stored before secrets were random). */
  readonly secret: string;
  /** Reads (shard ranges, hash lists): never shared with uploads, so slow uploads cannot starve reads. */
  readonly pool: Pool;
  /** Uploads, commits, deletes; sized to the upload limit, so an admitted upload never waits for a connection. */
  readonly writePool: Pool;
}

export interface NodeRegistryOptions {
  readonly store: MetaStore;
  readonly nodeTimeoutMs: number;
  readonly shardTimeoutMs: number;
  /** Connections of each node's write pool (the upload limit plus room for commits and deletes). */
  readonly writeConnections: number;
  readonly now: () => Date;
  /** A node reporting less free space than this gets no new shards. Default 0. */
  readonly freeReserveBytes?: number;
  /** Room for one more shard, needed above the reserve to get new shards. Default 1. */
  readonly shardRoomBytes?: number;
  /**
   * Other gateways share the store (PostgreSQL) and record the registrations and heartbeats they
   * accept: a node whose stored heartbeat is fresh counts as heard, its stored URL vouched for by
   * that gateway, at load and at every refresh (`startSharing`). Default false (a SQLite gateway
   * is the only one that writes its store).
   */
  readonly sharedStore?: boolean;
}

/**
 * The gateway's live view of the shard nodes: records from the store, one keep-alive undici Pool
 * per node, and health. A node is online while its heartbeats are fresh; a connection failure
 * marks it offline at once (until its next heartbeat), so writes stop choosing a dead node
 * without waiting for the heartbeat timeout. Nodes loaded from the store at start are offline
 * until they register or heartbeat again: their stored URL may be stale (a node restarted on
 * another port while the gateway was down), and only a signed heartbeat vouches for it.
 *
 * New shards go only to online nodes with room: free space at least the reserve plus one shard,
 * and not refused with 507 since their last heartbeat.
 */
export class NodeRegistry {
  readonly #options: NodeRegistryOptions;
  readonly #nodes = new Map<string, NodeView>();
  readonly #unreachableSince = new Map<string, Date>();
  /** Nodes that registered or heartbeat since this registry was loaded. */
  readonly #heardSinceLoad = new Set<string>();
  /** Signed time of each node's latest accepted heartbeat: a replay is not newer. */
  readonly #heartbeatSignedAtMs = new Map<string, number>();
  /** Nodes that answered 507 to an upload since their last heartbeat. */
  readonly #refusedStorage = new Set<string>();
  /** Repair's node states: draining, drained, disqualified and forgotten nodes get no new shards (`placementCandidates`). */
  #acceptsShards: (nodeId: string) => boolean = () => true;
  #refreshTimer: NodeJS.Timeout | null = null;

  private constructor(options: NodeRegistryOptions) {
    this.#options = options;
  }

  static async load(options: NodeRegistryOptions): Promise<NodeRegistry> {
    const registry = new NodeRegistry(options);
    const loadedAtMs = options.now().getTime();
    for (const record of await options.store.listNodes()) {
      registry.#install(record);
      if (options.sharedStore && loadedAtMs - record.lastHeartbeatAt.getTime() <= options.nodeTimeoutMs) registry.#heardSinceLoad.add(record.id);
    }
    return registry;
  }

  /** Registration (already admitted, see node-admission.ts): the record replaces the stored one. */
  async register(record: NodeRecord): Promise<void> {
    await this.#options.store.upsertNode(record);
    this.#install(record);
    this.#unreachableSince.delete(record.id);
    this.#refusedStorage.delete(record.id);
    this.#heartbeatSignedAtMs.delete(record.id);
    this.#heardSinceLoad.add(record.id);
  }

  /** Records a heartbeat that `checkHeartbeat` accepts; otherwise returns why not. */
  async heartbeat(heartbeat: NodeHeartbeatRequest): Promise<NodeRefusal | null> {
    const view = this.#nodes.get(heartbeat.nodeId);
    if (!view) return { error: 'NOT_REGISTERED', message: 'register first' };
    const at = this.#options.now();
    const refusal = checkHeartbeat(view.record, this.#heartbeatSignedAtMs.get(heartbeat.nodeId) ?? 0, heartbeat, at);
    if (refusal) return refusal;
    this.#heartbeatSignedAtMs.set(heartbeat.nodeId, heartbeat.signedAtMs);
    const { freeBytes, capacityBytes } = heartbeat;
    if (!(await this.#options.store.recordHeartbeat(heartbeat.nodeId, freeBytes, capacityBytes, at))) {
      return { error: 'NOT_REGISTERED', message: 'register first' };
    }
    const current = this.#nodes.get(heartbeat.nodeId) ?? view;
    this.#nodes.set(heartbeat.nodeId, { ...current, record: { ...current.record, freeBytes, capacityBytes, lastHeartbeatAt: at } });
    this.#unreachableSince.delete(heartbeat.nodeId);
    this.#refusedStorage.delete(heartbeat.nodeId);
    this.#heardSinceLoad.add(heartbeat.nodeId);
    return null;
  }

  get(nodeId: string): NodeView | undefined {
    return this.#nodes.get(nodeId);
  }

  isOnline(nodeId: string): boolean {
    const view = this.#nodes.get(nodeId);
    if (!view || view.secret === '' || this.#unreachableSince.has(nodeId) || !this.#heardSinceLoad.has(nodeId)) return false;
    return this.#options.now().getTime() - view.record.lastHeartbeatAt.getTime() <= this.#options.nodeTimeoutMs;
  }

  online(): NodeView[] {
    return [...this.#nodes.values()].filter((view) => this.isOnline(view.record.id));
  }

  /** Online nodes that may take a new shard, as placement sees them. */
  placementCandidates(): PlacementCandidate[] {
    const minFreeBytes = (this.#options.freeReserveBytes ?? 0) + (this.#options.shardRoomBytes ?? 1);
    return this.online()
      .filter((view) => view.record.freeBytes >= minFreeBytes && !this.#refusedStorage.has(view.record.id) && this.#acceptsShards(view.record.id))
      .map(({ record }) => ({ id: record.id, zone: record.zone, operatorId: record.operatorId ?? `node:${record.id}`, freeBytes: record.freeBytes }));
  }

  setShardFilter(acceptsShards: (nodeId: string) => boolean): void {
    this.#acceptsShards = acceptsShards;
  }

  all(): NodeView[] {
    return [...this.#nodes.values()];
  }

  /** Called by the shard client when a node refuses connections or times out. */
  markUnreachable(nodeId: string): void {
    if (!this.#unreachableSince.has(nodeId)) this.#unreachableSince.set(nodeId, this.#options.now());
  }

  /**
   * With a shared store, refreshes the view from it every third of `nodeTimeoutMs`, so every
   * gateway sees the nodes that registered or heartbeat at any other (see `refreshFromStore`).
   */
  startSharing(onError: (error: Error) => void): void {
    if (!this.#options.sharedStore || this.#refreshTimer) return;
    let running = false;
    this.#refreshTimer = setInterval(() => {
      if (running) return;
      running = true;
      this.refreshFromStore().catch(onError).finally(() => { running = false; });
    }, Math.max(250, Math.floor(this.#options.nodeTimeoutMs / 3)));
    this.#refreshTimer.unref();
  }

  /**
   * Takes what other gateways recorded in the shared store: a node registered there (new, or at
   * another URL, key or request secret) is installed as stored, and a heartbeat accepted there
   * counts like one received here (fresh: heard, reachable again, free space updated). Nodes are
   * never removed here: a forgotten node is tombstoned and refused at its next heartbeat.
   */
  async refreshFromStore(): Promise<void> {
    const nowMs = this.#options.now().getTime();
    for (const record of await this.#options.store.listNodes()) {
      const view = this.#nodes.get(record.id);
      const reRegistered = !view || view.record.url !== record.url || view.secret !== (record.secret ?? '') || view.record.publicKey !== record.publicKey;
      if (reRegistered) {
        this.#install(record);
      } else if (record.lastHeartbeatAt.getTime() > view.record.lastHeartbeatAt.getTime()) {
        const { freeBytes, capacityBytes, lastHeartbeatAt } = record;
        this.#nodes.set(record.id, { ...view, record: { ...view.record, freeBytes, capacityBytes, lastHeartbeatAt } });
      } else {
        continue;
      }
      if (nowMs - record.lastHeartbeatAt.getTime() > this.#options.nodeTimeoutMs) continue;
      this.#heardSinceLoad.add(record.id);
      const unreachable = this.#unreachableSince.get(record.id);
      if (unreachable && unreachable.getTime() < record.lastHeartbeatAt.getTime()) this.#unreachableSince.delete(record.id);
      this.#refusedStorage.delete(record.id);
    }
  }

  /** Called by the shard client when a node answers 507: no new shards until its next heartbeat. */
  markOutOfStorage(nodeId: string): void {
    this.#refusedStorage.add(nodeId);
  }

  async close(): Promise<void> {
    if (this.#refreshTimer) clearInterval(this.#refreshTimer);
    await Promise.all([...this.#nodes.values()].flatMap((view) => [view.pool, view.writePool].map((pool) => pool.close().catch(() => {}))));
    this.#nodes.clear();
  }

  #install(record: NodeRecord): void {
    const existing = this.#nodes.get(record.id);
    const secret = record.secret ?? '';
    if (existing && existing.record.url === record.url) {
      this.#nodes.set(record.id, { ...existing, record, secret });
      return;
    }
    existing?.pool.close().catch(() => {});
    existing?.writePool.close().catch(() => {});
    const timeout = this.#options.shardTimeoutMs;
    const poolOptions = {
      keepAliveTimeout: 30_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      // An https node is pinned to its registered key (its certificate is self-signed with it).
      connect: record.url.startsWith('https:') && record.publicKey !== null ? pinnedNodeConnector(record.publicKey, timeout) : { timeout },
    };
    const pool = new Pool(record.url, { ...poolOptions, connections: 64 });
    const writePool = new Pool(record.url, { ...poolOptions, connections: this.#options.writeConnections });
    this.#nodes.set(record.id, { record, secret, pool, writePool });
  }
}
