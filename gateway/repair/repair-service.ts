import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { totalShards } from '../../src/erasure/profile.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { NodeAdminState } from '../../src/meta/repair-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from '../read/hash-list-cache.ts';
import { Auditor } from './auditor.ts';
import { ByteRateLimiter } from '../../src/rate/byte-rate-limiter.ts';
import { Checker, type HealthCensus } from './checker.ts';
import { Reconciler } from './reconciler.ts';
import { NodeStates, UnknownNodeError, type NodeState } from './node-states.ts';
import { RepairSignals } from './repair-signals.ts';
import { Repairer } from './repairer.ts';

const TICK_MS = 1_000;
const NODE_STATES: readonly NodeState[] = ['online', 'offline', 'lost', 'draining', 'drained', 'disqualified'];

export interface RepairServiceDeps {
  readonly config: GatewayConfig;
  readonly store: MetaStore;
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** One node as the operator commands see it. */
export interface NodeRepairView {
  readonly id: string;
  readonly state: NodeState;
  readonly adminState: NodeAdminState | null;
  readonly adminStateSince: string | null;
  /** Shards metadata places on the node: a drain is done at 0. */
  readonly shards: number;
  /** Audit score (1 = never failed; disqualified below --audit-disqualify-below) and counts, since the gateway started. */
  readonly audit: { readonly score: number; readonly passed: number; readonly failed: number };
}

/** `GET /_/admin/health` and `shardgate status`. */
export interface ClusterHealth {
  readonly nodes: Readonly<Record<NodeState, number>>;
  readonly segments: HealthCensus;
  readonly repairQueue: { readonly length: number; readonly leased: number; readonly oldestEnqueuedAt: string | null };
  readonly repaired: { readonly segments: number; readonly shards: number; readonly bytes: number; readonly failures: number };
  /** Audited nodes: score, passed, failed. */
  readonly audits: Readonly<Record<string, { readonly score: number; readonly passed: number; readonly failed: number }>>;
}

/**
 * Keeps every segment at n healthy shards: node states, the checker, the repair workers, heal on
 * read and write (signals), reconciliation of orphan files, and the operator's drain / forget /
 * disqualify.
 */
export class RepairService {
  #tick: NodeJS.Timeout | null = null;

  private constructor(
    private readonly deps: RepairServiceDeps,
    readonly states: NodeStates,
    readonly signals: RepairSignals,
    readonly checker: Checker,
    readonly repairer: Repairer,
    readonly reconciler: Reconciler,
    readonly auditor: Auditor,
  ) {}

  static async create(deps: RepairServiceDeps): Promise<RepairService> {
    const { config, store, registry, logger, metrics, now } = deps;
    const states = await NodeStates.load({ store, registry, now }, config.nodeLostAfterMs);
    registry.setShardFilter((nodeId) => states.acceptsShards(nodeId));
    let repairer: Repairer | null = null;
    const kick = () => repairer?.kick();
    const signals = new RepairSignals({ store, states, metrics, logger, now, shardsPerSegment: totalShards(config.profile) }, kick);
    const checker = new Checker({ store, states, logger, now }, config.repairCheckIntervalMs, kick);
    repairer = new Repairer({ ...deps, states, limiter: new ByteRateLimiter(config.repairRateBytes) }, config.repairConcurrency, config.repairLeaseMs);
    const reconciler = new Reconciler({ store, registry, metrics, logger, now, onQueued: kick }, config.reconcileIntervalMs);
    let service: RepairService | null = null;
    const auditor = new Auditor({
      store, registry, client: deps.client, hashLists: deps.hashLists, states, metrics, logger, now, shardTimeoutMs: config.shardTimeoutMs,
      onCorruptShard: (segmentId, shardIndex) => {
        store.enqueueRepair({ segmentId, healthyShards: totalShards(config.profile) - 1, corruptShards: [shardIndex] }, now())
          .then(kick, (error: Error) => logger.error('repair_enqueue_failed', { segmentId, error: error.message }));
      },
      disqualify: async (nodeId) => { await service?.disqualify(nodeId); },
    }, config.auditIntervalMs, config.auditDisqualifyBelow);
    service = new RepairService(deps, states, signals, checker, repairer, reconciler, auditor);
    return service;
  }

  start(): void {
    this.checker.start();
    this.repairer.start();
    this.reconciler.start();
    this.auditor.start();
    this.#tick = setInterval(() => {
      this.#onTick().catch((error: Error) => this.deps.logger.error('repair_tick_failed', { error: error.message }));
    }, TICK_MS);
    this.#tick.unref();
  }

  async stop(): Promise<void> {
    if (this.#tick) clearInterval(this.#tick);
    await Promise.all([this.checker.stop(), this.repairer.stop(), this.reconciler.stop(), this.auditor.stop()]);
  }

  /** The node's state and shard count; UnknownNodeError for an id never registered. */
  async node(nodeId: string): Promise<NodeRepairView> {
    if (!this.deps.registry.get(nodeId) && this.states.adminState(nodeId) === null) throw new UnknownNodeError(nodeId);
    const view = this.states.describe(nodeId);
    return { id: nodeId, state: view.state, adminState: view.adminState, adminStateSince: view.adminStateSince, shards: await this.deps.store.countShardsOnNode(nodeId), audit: this.auditor.scoreOf(nodeId) };
  }

  /** Moves every shard off the node while it stays online; it becomes `drained` at 0 shards. */
  async drain(nodeId: string): Promise<NodeRepairView> {
    await this.#decide(nodeId, 'draining');
    return this.node(nodeId);
  }

  /** Cancels a drain (or lets a drained node take shards again). */
  async undrain(nodeId: string): Promise<NodeRepairView> {
    const state = this.states.adminState(nodeId);
    if (state === 'draining' || state === 'drained') await this.states.setAdminState(nodeId, null);
    else await this.node(nodeId); // unknown ids still fail
    return this.node(nodeId);
  }

  /**
   * The node will never return: its shards are repaired from the others at once, its garbage is
   * dropped, and its id is tombstoned (it can never register again).
   */
  async forget(nodeId: string): Promise<NodeRepairView> {
    await this.#decide(nodeId, 'forgotten');
    return this.node(nodeId);
  }

  /**
   * The node is untrusted: no new shards, ever (the state is kept in the store, so a restart or a
   * re-registration does not lift it); its shards are repaired away (they stay readable while
   * verified, and its heartbeats keep counting so its garbage can still be deleted). `forget`
   * tombstones the id for good once the operator is done with it.
   */
  async disqualify(nodeId: string): Promise<NodeRepairView> {
    await this.#decide(nodeId, 'disqualified');
    return this.node(nodeId);
  }

  async health(): Promise<ClusterHealth> {
    const nodes = Object.fromEntries(NODE_STATES.map((state) => [state, 0])) as Record<NodeState, number>;
    for (const view of this.deps.registry.all()) nodes[this.states.stateOf(view.record.id)]++;
    const queue = await this.deps.store.repairQueueStats(this.deps.now());
    const { metrics } = this.deps;
    return {
      nodes,
      segments: this.checker.census,
      repairQueue: { length: queue.length, leased: queue.leased, oldestEnqueuedAt: queue.oldestEnqueuedAt?.toISOString() ?? null },
      repaired: { segments: metrics.segmentsRepaired, shards: metrics.shardsRepaired, bytes: metrics.bytesRepaired, failures: metrics.repairFailures },
      audits: this.auditor.scores(),
    };
  }

  async #decide(nodeId: string, state: NodeAdminState): Promise<void> {
    await this.states.setAdminState(nodeId, state);
    if (state === 'forgotten') await this.deps.store.tombstoneNode(nodeId, state, this.deps.now());
    this.deps.logger.info('node_state_set', { nodeId, state });
    this.checker.queueSegmentsOnNode(nodeId)
      .catch((error: Error) => this.deps.logger.error('repair_queue_node_failed', { nodeId, error: error.message }));
  }

  /** Once a second: the queue-length gauge, and draining nodes with no shard left become drained. */
  async #onTick(): Promise<void> {
    this.deps.metrics.repairQueueLength = (await this.deps.store.repairQueueStats(this.deps.now())).length;
    for (const nodeId of this.states.withAdminState('draining')) {
      if (await this.deps.store.countShardsOnNode(nodeId) === 0) {
        await this.states.setAdminState(nodeId, 'drained');
        this.deps.logger.info('node_drained', { nodeId });
      }
    }
  }
}
