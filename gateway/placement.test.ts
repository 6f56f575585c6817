import test from 'ava';
import { chooseNodes, type PlacementCandidate } from './placement.ts';

const node = (id: string, zone: string, freeBytes = 1e12, operatorId = `op-${id}`): PlacementCandidate => ({ id, zone, operatorId, freeBytes });
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

interface CapShape { operators: number[]; zones: number; count: number; cap: number; expected: number }
const operatorCap = test.macro<[CapShape]>({
  exec(t, shape) {
    // operators[i] = how many nodes operator i runs; nodes are spread round-robin over the zones.
    const nodes: PlacementCandidate[] = [];
    shape.operators.forEach((size, operator) => {
      for (let i = 0; i < size; i++) nodes.push(node(`o${operator}n${i}`, `z${nodes.length % shape.zones}`, 1e12 * (1 + (nodes.length % 3)), `op${operator}`));
    });
    for (const id of segmentIds.slice(0, 300)) {
      const chosen = chooseNodes(id, nodes, shape.count, { maxShardsPerOperator: shape.cap });
      t.is(new Set(chosen.map((n) => n.id)).size, chosen.length, 'distinct nodes');
      t.is(chosen.length, shape.expected, id);
      const perOperator = new Map<string, number>();
      for (const n of chosen) perOperator.set(n.operatorId, (perOperator.get(n.operatorId) ?? 0) + 1);
      t.true([...perOperator.values()].every((shards) => shards <= shape.cap), `${id}: ${JSON.stringify([...perOperator])}`);
    }
  },
  title: (_title, shape) => `operators of ${shape.operators.join('/')} nodes, ${shape.zones} zones, cap ${shape.cap}: ${shape.expected} of ${shape.count} shards`,
});
// 4+2 with the default cap m=2: three operators are enough, fewer cannot hold a whole segment.
test(operatorCap, { operators: [6, 6, 6], zones: 6, count: 6, cap: 2, expected: 6 });
test(operatorCap, { operators: [10, 1, 1, 1, 1], zones: 3, count: 6, cap: 2, expected: 6 });
test(operatorCap, { operators: [10, 10], zones: 4, count: 6, cap: 2, expected: 4 });
test(operatorCap, { operators: [30], zones: 5, count: 6, cap: 2, expected: 2 });
test(operatorCap, { operators: [1, 1, 1, 1, 1, 1], zones: 1, count: 6, cap: 1, expected: 6 });
// 10+4 with cap 4 over uneven operators.
test(operatorCap, { operators: [8, 5, 3, 2, 1], zones: 7, count: 14, cap: 4, expected: 14 });
test(operatorCap, { operators: [20, 20, 2], zones: 7, count: 14, cap: 4, expected: 10 });

test('the operator cap wins over zones', (t) => {
  // Operator A runs one node in each of zones a, b, c; operator B two nodes in zone a.
  const nodes = [node('A-a', 'a', 1e12, 'A'), node('A-b', 'b', 1e12, 'A'), node('A-c', 'c', 1e12, 'A'), node('B-a1', 'a', 1e12, 'B'), node('B-a2', 'a', 1e12, 'B')];
  for (const id of segmentIds.slice(0, 200)) {
    const chosen = chooseNodes(id, nodes, 4, { maxShardsPerOperator: 2 });
    t.deepEqual(chosen.map((n) => n.operatorId).sort(), ['A', 'A', 'B', 'B']);
    t.true(new Set(chosen.map((n) => n.zone)).size >= 2, 'zones still spread within the cap');
  }
  t.deepEqual(chooseNodes('s', nodes, 3), chooseNodes('s', nodes, 3, {}), 'no cap by default');
});
