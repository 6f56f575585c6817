import { createHash } from 'node:crypto';

export interface PlacementCandidate {
  readonly id: string;
  readonly zone: string;
  /** Free bytes: the weight. A node with more room gets proportionally more shards. */
  readonly freeBytes: number;
}

/**
 * Chooses up to `count` distinct nodes for a segment by weighted rendezvous hashing: every
 * (segment, node) pair gets a score `-weight / ln(u)` with `u` uniform in (0, 1) from a hash, so
 * the choice is stable for a given node set, proportional to free space, and adding or removing
 * one node moves only the shards that must move. Nodes in zones not chosen yet come first; only
 * when every zone has a shard do further nodes of the same zones follow.
 */
export function chooseNodes(segmentId: string, candidates: readonly PlacementCandidate[], count: number): PlacementCandidate[] {
  const ranked = candidates
    .filter((node) => node.freeBytes > 0)
    .map((node) => ({ node, score: rendezvousScore(segmentId, node) }))
    .sort((a, b) => b.score - a.score || (a.node.id < b.node.id ? -1 : 1));
  const chosen: PlacementCandidate[] = [];
  const zonesUsed = new Set<string>();
  for (const { node } of ranked) {
    if (chosen.length === count) break;
    if (!zonesUsed.has(node.zone)) {
      chosen.push(node);
      zonesUsed.add(node.zone);
    }
  }
  for (const { node } of ranked) {
    if (chosen.length === count) break;
    if (!chosen.includes(node)) chosen.push(node);
  }
  return chosen;
}

function rendezvousScore(segmentId: string, node: PlacementCandidate): number {
  const digest = createHash('sha256').update(segmentId).update('\0').update(node.id).digest();
  // 52 random bits → u in (0, 1), never 0 or 1.
  const u = (Number(digest.readBigUInt64BE(0) >> 12n) + 0.5) / 2 ** 52;
  return -node.freeBytes / Math.log(u);
}
