import { randomBytes } from 'node:crypto';
import type { Logger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { shardId } from '../../src/meta/types.ts';
import { isValidShardId, shardListPath, type ShardListResponse } from '../../src/node-protocol/routes.ts';
import { signNodeRequest } from '../../src/node-protocol/signature.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry, NodeView } from '../nodes/registry.ts';

const PAGE = 1000;
/** Orphans remembered between passes per node at most (a node with more is reconciled over several passes). */
const MAX_CANDIDATES_PER_NODE = 100_000;
/** A node whose listing never ends (10 million shards) is cut off: the rest waits for the next pass. */
const MAX_PAGES = 10_000;

/**
 * Reconciliation: every `--reconcile-interval`, each online node's shard listing is compared with
 * metadata. A file metadata does not expect on that node (not placed, not pending, not garbage)
 * at two passes in a row — so at least one interval apart: the grace — goes to the garbage queue
 * and the janitor deletes it. Nothing else is ever deleted: a write records its shards as pending
 * before it sends them, so a legitimate file is always known.
 *
 * The other way round, the same walk finds shards metadata places on the node that its listing
 * lacks (a wiped disk, a file deleted by hand): each listing page covers a range of shard ids, and
 * the shards placed on the node in that range are fetched from metadata a page at a time. Missing
 * at two passes in a row (a shard committed between the listing and the query is not missing the
 * second time), it is queued for repair like a corrupt shard.
 */
export class Reconciler {
  /** Node → shard files found unknown on the last pass. */
  readonly #candidates = new Map<string, Set<string>>();
  /** Node → shards placed there that its listing lacked on the last pass. */
  readonly #missingCandidates = new Map<string, Set<string>>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: { store: MetaStore; registry: NodeRegistry; metrics: GatewayMetrics; logger: Logger; now: () => Date; onQueued?: () => void },
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.pass()
        .then(() => {})
        .catch((error: Error) => this.deps.logger.error('reconcile_failed', { error: error.message }))
        .finally(() => { this.#running = null; });
    }, this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** One pass over every online node; returns the shard files sent to garbage. */
  async pass(): Promise<number> {
    let collected = 0;
    for (const node of this.deps.registry.online()) {
      if (this.#abort.signal.aborted) break;
      try {
        collected += await this.#reconcile(node);
      } catch (error) {
        this.deps.logger.warn('reconcile_node_failed', { nodeId: node.record.id, error: (error as Error).message });
      }
    }
    return collected;
  }

  async #reconcile(node: NodeView): Promise<number> {
    const nodeId = node.record.id;
    const previous = this.#candidates.get(nodeId) ?? new Set<string>();
    const current = new Set<string>();
    const orphans: string[] = [];
    const previousMissing = this.#missingCandidates.get(nodeId) ?? new Set<string>();
    const currentMissing = new Set<string>();
    const missing: string[] = [];
    for (let after: string | null = null, pages = 0; pages < MAX_PAGES; pages++) {
      const page = await listShards(node, after, this.deps.now());
      const unknown = await this.deps.store.listUnknownShards(nodeId, page.shards);
      for (const id of unknown) {
        if (previous.has(id)) orphans.push(id);
        else if (current.size < MAX_CANDIDATES_PER_NODE) current.add(id);
      }
      const through = page.next === null ? null : page.shards.at(-1) ?? null;
      for (const id of await this.#placedButNotListed(nodeId, after, through, new Set(page.shards))) {
        if (previousMissing.has(id)) missing.push(id);
        else if (currentMissing.size < MAX_CANDIDATES_PER_NODE) currentMissing.add(id);
      }
      if (page.next === null) break;
      after = page.next;
    }
    this.#candidates.set(nodeId, current);
    this.#missingCandidates.set(nodeId, currentMissing);
    if (missing.length > 0) await this.#queueMissing(nodeId, missing);
    if (orphans.length === 0) return 0;
    // Through the write queue's own path: pending under a throwaway write, abandoned at once.
    const writeId = `reconcile:${nodeId}:${randomBytes(6).toString('hex')}`;
    await this.deps.store.addPendingShards(writeId, orphans.map((shardId) => ({ shardId, nodeId })), this.deps.now());
    await this.deps.store.abandonWrite(writeId);
    this.deps.metrics.orphanShardsCollected += orphans.length;
    this.deps.logger.info('orphan_shards_collected', { nodeId, shards: orphans.length });
    return orphans.length;
  }

  /** Shards metadata places on the node with ids in (after, through] (through null: no end) that `listed` lacks. */
  async #placedButNotListed(nodeId: string, after: string | null, through: string | null, listed: ReadonlySet<string>): Promise<string[]> {
    const segmentOf = (id: string) => id.slice(0, id.lastIndexOf('.'));
    const throughSegment = through === null ? 'g' : segmentOf(through); // 'g' sorts after every hex id
    const missing = new Set<string>();
    for (let from = after === null ? '' : segmentOf(after); ;) {
      const placed = await this.deps.store.listShardsPlacedOnNode(nodeId, from, throughSegment, PAGE);
      for (const { segmentId, shardIndex } of placed) {
        const id = shardId(segmentId, shardIndex);
        if ((after !== null && id <= after) || (through !== null && id > through) || listed.has(id)) continue;
        if (missing.size < MAX_CANDIDATES_PER_NODE) missing.add(id);
      }
      const last = placed.at(-1)?.segmentId;
      // Pages restart at their last segment (inclusive; its rows repeat, the set absorbs them).
      if (placed.length < PAGE || last === undefined || last === from) break;
      from = last;
    }
    return [...missing];
  }

  async #queueMissing(nodeId: string, missing: readonly string[]): Promise<void> {
    for (const id of missing) {
      const dot = id.lastIndexOf('.');
      const segmentId = id.slice(0, dot);
      const placement = await this.deps.store.getSegmentPlacement(segmentId);
      if (!placement) continue;
      await this.deps.store.enqueueRepair({ segmentId, healthyShards: Math.max(0, placement.shards.length - 1), corruptShards: [Number(id.slice(dot + 1))] }, this.deps.now());
    }
    this.deps.metrics.missingShardsQueued += missing.length;
    this.deps.logger.warn('missing_shards_queued', { nodeId, shards: missing.length });
    this.deps.onQueued?.();
  }
}

/** One page of a node's committed shard ids (a signed GET /shards), checked for shape. */
async function listShards(node: NodeView, after: string | null, now: Date): Promise<ShardListResponse> {
  const pathWithQuery = shardListPath({ after, limit: PAGE });
  const headers = signNodeRequest(node.secret, { method: 'GET', pathWithQuery, expiresAt: Math.floor(now.getTime() / 1000) + 300 });
  const response = await node.pool.request({ method: 'GET', path: pathWithQuery, headers });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`shard listing answered ${response.statusCode}`);
  const page = JSON.parse(text) as ShardListResponse;
  if (!Array.isArray(page.shards) || page.shards.length > PAGE || !page.shards.every((id) => typeof id === 'string' && isValidShardId(id))
    || (page.next !== null && (typeof page.next !== 'string' || (after !== null && page.next <= after)))) {
    throw new Error('shard listing is malformed');
  }
  return page;
}
