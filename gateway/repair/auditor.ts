import { ShardCorruptError } from '../../src/erasure/errors.ts';
import { stripeCount } from '../../src/erasure/layout.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { shardId, type ShardPlacement } from '../../src/meta/types.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import { ShardRequestError, type ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from '../read/hash-list-cache.ts';
import type { NodeServiceMeter } from '../rewards/service-meter.ts';
import { HashListCorruptError, VerifiedChunkReader } from '../read/verified-chunk-reader.ts';
import { NEW_SCORE, recordAudit, scoreValue, type AuditScore } from './audit-score.ts';
import type { NodeStates } from './node-states.ts';

/** A node that accepted an audit but did not answer is asked the same again this many times before it counts as failed. */
const CONTAINMENT_RETRIES = 3;

interface PendingAudit {
  readonly segmentId: string;
  readonly placement: ShardPlacement;
  readonly chunkSize: number;
  readonly stripe: number;
  tries: number;
}

export interface AuditorDeps {
  readonly store: MetaStore;
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly hashLists: HashListCache;
  readonly states: NodeStates;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly shardTimeoutMs: number;
  /** Queues a repair (a chunk that failed its hash) and disqualifies a node (moves its shards away). */
  readonly onCorruptShard: (segmentId: string, shardIndex: number) => void;
  readonly disqualify: (nodeId: string) => Promise<void>;
  /** The rewards ledger's meter: audit reads, audits passed and failed, rounds a node was down for. */
  readonly rewards?: NodeServiceMeter;
}

/**
 * Audits: every `--audit-interval`, each online node is asked for one chunk of one of its shards
 * (its segments in turn, a random stripe), signed like any read and checked against the trusted
 * root. Each answer updates the node's beta-reputation score (audit-score.ts); wrong bytes, a
 * missing file or a malformed answer are failures, and the shard is queued for repair. A node
 * that does not answer (timeout, connection dropped) is asked the same chunk again, up to 3
 * times, and then it counts as a failure: not answering is never forgiven (Storj's containment).
 * A score below `--audit-disqualify-below` disqualifies the node. Scores live in this gateway's
 * memory (they restart from the prior after a restart).
 */
export class Auditor {
  readonly #scores = new Map<string, AuditScore>();
  readonly #cursors = new Map<string, number>();
  readonly #contained = new Map<string, PendingAudit>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  readonly #abort = new AbortController();

  constructor(private readonly deps: AuditorDeps, private readonly intervalMs: number, private readonly disqualifyBelow: number) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.round()
        .catch((error: Error) => this.deps.logger.error('audit_round_failed', { error: error.message }))
        .finally(() => { this.#running = null; });
    }, this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** Audit results per node: score (1 = never failed), passed, failed. */
  scores(): Record<string, { score: number; passed: number; failed: number }> {
    return Object.fromEntries([...this.#scores].map(([nodeId, s]) => [nodeId, { score: scoreValue(s), passed: s.passed, failed: s.failed }]));
  }

  scoreOf(nodeId: string): { score: number; passed: number; failed: number } {
    const s = this.#scores.get(nodeId) ?? NEW_SCORE;
    return { score: scoreValue(s), passed: s.passed, failed: s.failed };
  }

  /** One audit of every online node that can still be audited (not disqualified, draining or drained). */
  async round(): Promise<void> {
    // A node that is down cannot be audited: for its uptime that is an unanswered audit (it holds nothing: it earns nothing anyway).
    for (const { record } of this.deps.registry.all()) {
      const state = this.deps.states.stateOf(record.id);
      if ((state === 'offline' || state === 'lost') && this.deps.states.adminState(record.id) === null) this.deps.rewards?.record(record.id, 'audit', { failed: 1 });
    }
    await Promise.all(this.deps.registry.online()
      .filter((view) => this.deps.states.stateOf(view.record.id) === 'online')
      .map((view) => this.#auditNode(view.record.id)));
  }

  async #auditNode(nodeId: string): Promise<void> {
    const audit = this.#contained.get(nodeId) ?? await this.#nextAudit(nodeId);
    if (!audit) return;
    const outcome = await this.#read(nodeId, audit);
    if (outcome === 'unanswered') {
      audit.tries++;
      if (audit.tries < CONTAINMENT_RETRIES) {
        this.#contained.set(nodeId, audit);
        return;
      }
    }
    this.#contained.delete(nodeId);
    const passed = outcome === 'passed';
    const score = recordAudit(this.#scores.get(nodeId) ?? NEW_SCORE, passed);
    this.#scores.set(nodeId, score);
    this.deps.rewards?.record(nodeId, 'audit', passed ? { auditsPassed: 1 } : { auditsFailed: 1 });
    if (passed) {
      this.deps.metrics.auditsPassed++;
      return;
    }
    this.deps.metrics.auditsFailed++;
    this.deps.logger.warn('audit_failed', { nodeId, segmentId: audit.segmentId, shardIndex: audit.placement.shardIndex, outcome, score: scoreValue(score) });
    if (outcome === 'corrupt' || outcome === 'failed') {
      this.deps.onCorruptShard(audit.segmentId, audit.placement.shardIndex);
      this.#endHolding(nodeId, audit, outcome === 'corrupt' ? 'corrupt' : 'missing');
    }
    if (scoreValue(score) < this.disqualifyBelow && this.deps.states.stateOf(nodeId) !== 'disqualified') {
      this.deps.logger.warn('node_disqualified', { nodeId, score: scoreValue(score), failed: score.failed });
      await this.deps.disqualify(nodeId);
    }
  }

  /** The shard earns its node nothing from now until a repair places a good copy (rewards ledger). */
  #endHolding(nodeId: string, audit: PendingAudit, reason: 'corrupt' | 'missing'): void {
    this.deps.store.endShardHoldings([{ segmentId: audit.segmentId, shardIndex: audit.placement.shardIndex, nodeId, reason }], this.deps.now())
      .catch((error: Error) => this.deps.logger.error('holding_end_failed', { nodeId, segmentId: audit.segmentId, error: error.message }));
  }

  /** The node's next segment in turn (wrapping around), one random stripe of its shard there. */
  async #nextAudit(nodeId: string): Promise<PendingAudit | null> {
    let [segment] = await this.deps.store.scanSegments(this.#cursors.get(nodeId) ?? 0, 1, nodeId);
    if (!segment) [segment] = await this.deps.store.scanSegments(0, 1, nodeId);
    if (!segment) return null;
    this.#cursors.set(nodeId, segment.cursor);
    const placement = segment.shards.find((shard) => shard.nodeId === nodeId);
    if (!placement) return null;
    const stripes = stripeCount(segment.profile, segment.length);
    return { segmentId: segment.segmentId, placement, chunkSize: segment.profile.chunkSize, stripe: Math.floor(Math.random() * stripes), tries: 0 };
  }

  async #read(nodeId: string, audit: PendingAudit): Promise<'passed' | 'corrupt' | 'failed' | 'unanswered'> {
    const node = this.deps.registry.get(nodeId);
    if (!node) return 'unanswered';
    const reader = new VerifiedChunkReader({
      client: this.deps.client,
      hashLists: this.deps.hashLists,
      node,
      placement: audit.placement,
      shardId: shardId(audit.segmentId, audit.placement.shardIndex),
      chunkSize: audit.chunkSize,
      window: { shardIndex: audit.placement.shardIndex, firstStripe: audit.stripe, stripeCount: 1, offset: audit.stripe * audit.chunkSize, length: audit.chunkSize },
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.deps.shardTimeoutMs)]),
      service: this.deps.rewards && { kind: 'audit', meter: this.deps.rewards },
    });
    try {
      await reader.next();
      return 'passed';
    } catch (error) {
      if (error instanceof ShardCorruptError || error instanceof HashListCorruptError) return 'corrupt';
      // An answer that is wrong (404, 5xx, wrong length, short body) fails; no answer at all is retried.
      if (error instanceof ShardRequestError && error.status === undefined) return 'unanswered';
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') return 'unanswered';
      return 'failed';
    } finally {
      reader.close();
    }
  }
}
