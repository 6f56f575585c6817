import type { NodeAdminRecord, NodeAdminState } from '../../src/meta/repair-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeRegistry } from '../nodes/registry.ts';

/**
 * What a node is, for repair and placement. `online`: fresh heartbeats. `offline`: no heartbeat
 * for `--node-timeout`, but for less than `--node-lost-after` (a reboot, a short outage: its
 * shards still count). `lost`: offline longer than that, or forgotten by the operator.
 * `draining` / `drained`: an operator is moving its shards away / has moved them all.
 * `disqualified`: untrusted. Only online and offline nodes hold healthy shards; only online
 * nodes without an operator state receive new ones.
 */
export type NodeState = 'online' | 'offline' | 'lost' | 'draining' | 'drained' | 'disqualified';

export interface NodeStateView {
  readonly state: NodeState;
  /** The persisted operator decision, if any, and when it was taken. */
  readonly adminState: NodeAdminState | null;
  readonly adminStateSince: string | null;
  /** True when the node answers heartbeats (a draining node usually does). */
  readonly online: boolean;
}

export class UnknownNodeError extends Error {
  readonly code = 'UNKNOWN_NODE';
  override name = 'UnknownNodeError';
  constructor(readonly nodeId: string) {
    super(`no node with id ${nodeId}`);
  }
}

/**
 * Node states: the operator's (persisted in the MetaStore, cached here; this gateway is the only
 * writer) over the registry's heartbeats (derived, never stored).
 */
export class NodeStates {
  readonly #admin = new Map<string, NodeAdminRecord>();

  private constructor(
    private readonly deps: { store: MetaStore; registry: NodeRegistry; now: () => Date },
    private readonly lostAfterMs: number,
  ) {}

  static async load(deps: { store: MetaStore; registry: NodeRegistry; now: () => Date }, lostAfterMs: number): Promise<NodeStates> {
    const states = new NodeStates(deps, lostAfterMs);
    for (const record of await deps.store.listNodeAdminStates()) states.#admin.set(record.nodeId, record);
    return states;
  }

  stateOf(nodeId: string): NodeState {
    const admin = this.#admin.get(nodeId)?.state;
    if (admin === 'disqualified') return 'disqualified';
    if (admin === 'forgotten') return 'lost';
    const view = this.deps.registry.get(nodeId);
    if (!view) return 'lost';
    if (admin === 'draining' || admin === 'drained') return admin;
    if (this.deps.registry.isOnline(nodeId)) return 'online';
    const silentMs = this.deps.now().getTime() - view.record.lastHeartbeatAt.getTime();
    return silentMs > this.lostAfterMs ? 'lost' : 'offline';
  }

  describe(nodeId: string): NodeStateView {
    const admin = this.#admin.get(nodeId);
    return {
      state: this.stateOf(nodeId),
      adminState: admin?.state ?? null,
      adminStateSince: admin?.since.toISOString() ?? null,
      online: this.deps.registry.isOnline(nodeId),
    };
  }

  /** A shard on this node counts toward its segment's health. */
  holdsHealthyShards(nodeId: string): boolean {
    const state = this.stateOf(nodeId);
    return state === 'online' || state === 'offline';
  }

  /** New shards (writes, repair targets) may go to this node. */
  acceptsShards(nodeId: string): boolean {
    return this.stateOf(nodeId) === 'online';
  }

  /** Nodes an operator put in `state`. */
  withAdminState(state: NodeAdminState): string[] {
    return [...this.#admin.values()].filter((record) => record.state === state).map((record) => record.nodeId);
  }

  adminState(nodeId: string): NodeAdminState | null {
    return this.#admin.get(nodeId)?.state ?? null;
  }

  /** Persists an operator decision (null clears it). Throws UnknownNodeError for an id never registered. */
  async setAdminState(nodeId: string, state: NodeAdminState | null): Promise<void> {
    if (!this.deps.registry.get(nodeId) && !this.#admin.has(nodeId)) throw new UnknownNodeError(nodeId);
    const since = this.deps.now();
    await this.deps.store.setNodeAdminState(nodeId, state, since);
    if (state === null) this.#admin.delete(nodeId);
    else this.#admin.set(nodeId, { nodeId, state, since });
  }
}
