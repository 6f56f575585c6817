import { get } from '../api.js';
import { h, setStatus, table } from '../dom.js';
import { ago, bytes, milliseconds, percent } from '../format.js';

export const REFRESH_MS = 3000;

/** Cluster health (nodes by state, segments by healthy shards, repair backlog) and the nodes table, refreshed every 3 s. */
export async function render(container) {
  const [health, nodes] = await Promise.all([get('/api/health'), get('/api/nodes')]);
  const byHealth = Object.entries(health.segments.byHealthyShards)
    .sort(([a], [b]) => Number(b.split('/')[0]) - Number(a.split('/')[0]));
  const online = nodes.nodes.filter((node) => node.state === 'online').length;
  container.replaceChildren(
    h('h2', {}, 'Cluster'),
    h('div', { class: 'cards' },
      card('Nodes by state', Object.entries(health.nodes).map(([state, count]) => [state, count])),
      card('Segments by healthy shards', [
        ...byHealth.map(([label, count]) => [label, count]),
        ['below k (lost)', health.segments.belowDataShards],
        ['as of', health.segments.completedAt ? new Date(health.segments.completedAt).toLocaleTimeString() : 'no pass yet'],
      ]),
      card('Repair backlog', [
        ['queued', health.repairQueue.length],
        ['in progress', health.repairQueue.leased],
        ['oldest', health.repairQueue.oldestEnqueuedAt ? ago(health.repairQueue.oldestEnqueuedAt) : '–'],
        ['repaired segments', health.repaired.segments],
        ['failed attempts', health.repaired.failures],
      ])),
    table(`Nodes (${online} of ${nodes.nodes.length} online; uptime over the last ${Math.round(nodes.uptimeWindowSeconds / 60)} min as this gateway saw it)`, [
      { label: 'Node' }, { label: 'Zone' }, { label: 'Operator' }, { label: 'State' },
      { label: 'Used', numeric: true }, { label: 'Free', numeric: true }, { label: 'Uptime', numeric: true },
      { label: 'Audit score', numeric: true }, { label: 'Recent first-chunk latency', numeric: true }, { label: 'Last heartbeat' },
    ], nodes.nodes.map((node) => [
      h('th', { scope: 'row' }, node.id), node.zone, node.operator ?? '–',
      h('span', { class: `state-${node.state}`, 'data-node-state': node.state }, node.state),
      bytes(node.usedBytes), bytes(node.freeBytes), percent(node.uptime?.fraction),
      `${node.audit.score.toFixed(3)} (${node.audit.passed}/${node.audit.passed + node.audit.failed})`,
      milliseconds(node.recentFirstChunkMs), ago(node.lastHeartbeatAt),
    ])),
  );
  setStatus(`${online} of ${nodes.nodes.length} nodes online · updated ${new Date().toLocaleTimeString()}`);
}

function card(title, rows) {
  return h('section', { class: 'card', 'aria-label': title },
    h('h3', {}, title),
    h('dl', {}, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, String(value))])));
}
