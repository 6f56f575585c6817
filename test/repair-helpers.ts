/** Shared by the repair integration tests: node ids, polling, shard files grouped by segment. */
import path from 'node:path';
import { sleep, type TestCluster } from './cluster.ts';

export const REPAIR_GATEWAY_ARGS = [
  '--node-timeout', '2000', '--node-lost-after', '3s', '--repair-check-interval', '1s', '--repair-rate', '0',
  // A repair cut by a gateway kill leaves its new shards pending on their target nodes, and a
  // segment's shard is never placed where one of its shards is pending: a short lease frees them.
  '--write-lease', '3000',
] as const;

/** The node id a shard-node process printed when it started listening. */
export async function nodeIdOf(cluster: TestCluster, index: number): Promise<string> {
  const node = cluster.nodes[index]!;
  return waitFor(`node ${index} id`, async () => /shard node (\S+) listening/.exec(node.output())?.[1] ?? null);
}

/** Polls `probe` until it returns a value other than null/false; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export interface ClusterHealthView {
  nodes: Record<string, number>;
  segments: { completedAt: string | null; segments: number; byHealthyShards: Record<string, number>; belowDataShards: number };
  repairQueue: { length: number; leased: number; oldestEnqueuedAt: string | null };
  repaired: { segments: number; shards: number; bytes: number; failures: number };
}

/** Committed shard files of the given nodes: segment id → shard index → node indexes holding it. */
export function shardFilesBySegment(cluster: TestCluster, nodeIndexes: readonly number[]): Map<string, Map<number, number[]>> {
  const bySegment = new Map<string, Map<number, number[]>>();
  for (const index of nodeIndexes) {
    for (const file of cluster.shardFiles(index)) {
      const [segmentId, shardIndex] = path.basename(file).split('.');
      const shards = bySegment.get(segmentId!) ?? new Map<number, number[]>();
      bySegment.set(segmentId!, shards);
      shards.set(Number(shardIndex), [...(shards.get(Number(shardIndex)) ?? []), index]);
    }
  }
  return bySegment;
}

/** True when every segment has each of its n shards exactly once, on n distinct nodes. */
export function everySegmentWhole(bySegment: Map<string, Map<number, number[]>>, n: number): boolean {
  for (const shards of bySegment.values()) {
    if (shards.size !== n) return false;
    const holders = [...shards.values()];
    if (holders.some((nodes) => nodes.length !== 1)) return false;
    if (new Set(holders.flat()).size !== n) return false;
  }
  return true;
}
