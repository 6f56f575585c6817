import { createHash } from 'node:crypto';

export interface PlacementCandidate {
  readonly id: string;
  readonly zone: string;
  /** Who runs the node. At most `maxShardsPerOperator` shards of a segment go to one operator. */
  readonly operatorId: string;
  /** Free bytes: the weight. A node with more room gets proportionally more shards. */
  readonly freeBytes: number;
}

export interface PlacementLimits {
  /** Shards of one segment one operator may hold at most (default: no limit). */
  readonly maxShardsPerOperator?: number;
  /**
   * Shards of the segment that stay where they are (repair, drain): their operators and zones
   * count against the limit and the zone preference as if chosen already.
   */
  readonly kept?: readonly { readonly operatorId: string; readonly zone: string }[];
}

/**
 * Chooses up to `count` distinct nodes for a segment by weighted rendezvous hashing: every
 * (segment, node) pair gets a score `-weight / ln(u)` with `u` uniform in (0, 1) from a hash, so
 * the choice is stable for a given node set, proportional to free space, and adding or removing
 * one node moves only the shards that must move.
 *
 * Operators first, zones second: no operator ever gets more than `maxShardsPerOperator` nodes of
 * the segment (a hard limit — with the default of m, no single operator can hold or withhold a
 * whole segment); within that, nodes in zones not chosen yet come first, and only when every
 * zone has a shard do further nodes of the same zones follow. Fewer than `count` nodes come back
 * when the limit or the candidates allow no more.
 */
export function chooseNodes(
  segmentId: string,
  candidates: readonly PlacementCandidate[],
  count: number,
  limits: PlacementLimits = {},
): PlacementCandidate[] {
  const maxPerOperator = limits.maxShardsPerOperator ?? Infinity;
  const ranked = candidates
    .filter((node) => node.freeBytes > 0)
    .map((node) => ({ node, score: rendezvousScore(segmentId, node) }))
    .sort((a, b) => b.score - a.score || (a.node.id < b.node.id ? -1 : 1));
  const chosen: PlacementCandidate[] = [];
  const zonesUsed = new Set<string>((limits.kept ?? []).map((shard) => shard.zone));
  const perOperator = new Map<string, number>();
  for (const shard of limits.kept ?? []) perOperator.set(shard.operatorId, (perOperator.get(shard.operatorId) ?? 0) + 1);
  const take = (node: PlacementCandidate) => {
    chosen.push(node);
    zonesUsed.add(node.zone);
    perOperator.set(node.operatorId, (perOperator.get(node.operatorId) ?? 0) + 1);
  };
  const operatorHasRoom = (node: PlacementCandidate) => (perOperator.get(node.operatorId) ?? 0) < maxPerOperator;
  for (const { node } of ranked) {
    if (chosen.length === count) break;
    if (!zonesUsed.has(node.zone) && operatorHasRoom(node)) take(node);
  }
  for (const { node } of ranked) {
    if (chosen.length === count) break;
    if (!chosen.includes(node) && operatorHasRoom(node)) take(node);
  }
  return chosen;
}

function rendezvousScore(segmentId: string, node: PlacementCandidate): number {
  const digest = createHash('sha256').update(segmentId).update('\0').update(node.id).digest();
  // 52 random bits → u in (0, 1), never 0 or 1.
  const u = (Number(digest.readBigUInt64BE(0) >> 12n) + 0.5) / 2 ** 52;
  return -node.freeBytes / Math.log(u);
}
