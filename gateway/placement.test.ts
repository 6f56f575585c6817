import test from 'ava';
import { chooseNodes, type PlacementCandidate } from './placement.ts';

const node = (id: string, zone: string, freeBytes = 1e12): PlacementCandidate => ({ id, zone, freeBytes });
const segmentIds = Array.from({ length: 3000 }, (_, i) => `segment-${i}`);

test('picks the requested number of distinct nodes, or all there are', (t) => {
  const nodes = Array.from({ length: 8 }, (_, i) => node(`n${i}`, `z${i}`));
  for (const id of segmentIds.slice(0, 100)) {
    const chosen = chooseNodes(id, nodes, 6);
    t.is(new Set(chosen.map((n) => n.id)).size, 6);
  }
  t.is(chooseNodes('s', nodes.slice(0, 4), 6).length, 4);
  t.deepEqual(chooseNodes('s', [node('full', 'z', 0), node('ok', 'z')], 2).map((n) => n.id), ['ok'], 'a full node gets nothing');
});

test('spreads a segment over distinct zones before reusing one', (t) => {
  const nodes = [node('a1', 'a'), node('a2', 'a'), node('a3', 'a'), node('b1', 'b'), node('b2', 'b'), node('c1', 'c')];
  for (const id of segmentIds.slice(0, 200)) {
    const zones = chooseNodes(id, nodes, 3).map((n) => n.zone).sort();
    t.deepEqual(zones, ['a', 'b', 'c']);
  }
});

test('is deterministic for a segment and weighted by free space', (t) => {
  const nodes = [node('small', 'z1', 1e11), node('large', 'z2', 3e11), node('x', 'z3', 2e11), node('y', 'z4', 2e11)];
  t.deepEqual(chooseNodes('same', nodes, 2), chooseNodes('same', nodes, 2));
  const firstChoice = new Map<string, number>();
  for (const id of segmentIds) {
    const first = chooseNodes(id, nodes, 1)[0]!.id;
    firstChoice.set(first, (firstChoice.get(first) ?? 0) + 1);
  }
  // Expected shares 1/8, 3/8, 2/8, 2/8 of 3000: allow ±20% of each expectation.
  for (const [id, share] of [['small', 1 / 8], ['large', 3 / 8], ['x', 2 / 8], ['y', 2 / 8]] as const) {
    const expected = segmentIds.length * share;
    const got = firstChoice.get(id) ?? 0;
    t.true(Math.abs(got - expected) < expected * 0.2, `${id}: ${got} first choices, expected about ${expected}`);
  }
});

test('adding a node moves only the shards it takes over', (t) => {
  const nodes = Array.from({ length: 6 }, (_, i) => node(`n${i}`, `z${i}`));
  const grown = [...nodes, node('n6', 'z6')];
  let moved = 0;
  for (const id of segmentIds) {
    const before = new Set(chooseNodes(id, nodes, 3).map((n) => n.id));
    const after = chooseNodes(id, grown, 3).map((n) => n.id);
    moved += after.filter((nodeId) => !before.has(nodeId)).length;
    t.true(after.every((nodeId) => before.has(nodeId) || nodeId === 'n6'), 'only the new node takes places');
  }
  // The new node should take about 3/7 of segments' one slot each: 3000 · 3/7 ≈ 1286 moves.
  t.true(moved > 1000 && moved < 1600, `${moved} shard places moved`);
});
