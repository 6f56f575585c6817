/**
 * Text of `shardgate status` and `shardgate node status`: pure functions of the admin API's (or
 * the node's) answer and the time, so a watch frame and a single print are the same text.
 */
import type { ClusterHealth } from '../gateway/repair/repair-service.ts';
import type { GatewayStatus } from '../gateway/status-route.ts';
import { formatByteSize } from '../src/billing/units.ts';
import { formatTable, tableTime } from './admin-command.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB": three significant digits, binary units. */
export function approximateBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`;
}

/** 3725 → "1h 02m 05s"; days above 24 h. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${pad(hours)}h ${pad(minutes)}m`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(rest)}s`;
  if (minutes > 0) return `${minutes}m ${pad(rest)}s`;
  return `${rest}s`;
}

/** "4s ago" from an ISO time and now. */
export function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${formatDuration(ms / 1000)} ago`;
}

export function formatHealth(health: ClusterHealth): string {
  const nodes = Object.entries(health.nodes).filter(([, count]) => count > 0).map(([state, count]) => `${count} ${state}`).join(', ');
  const { segments, repairQueue, repaired } = health;
  const byHealth = Object.entries(segments.byHealthyShards)
    .sort(([a], [b]) => Number(b.split('/')[0]) - Number(a.split('/')[0]))
    .map(([label, count]) => `    ${label.padEnd(7)} ${count}`);
  return [
    `nodes         ${nodes || 'none registered'}`,
    segments.completedAt === null
      ? 'segments      no checker pass completed yet'
      : `segments      ${segments.segments} as of ${segments.completedAt} (healthy shards / n):`,
    ...byHealth,
    `lost          ${segments.belowDataShards} segment(s) below k healthy shards`,
    `repair queue  ${repairQueue.length} (${repairQueue.leased} in progress)${repairQueue.oldestEnqueuedAt ? `, oldest since ${repairQueue.oldestEnqueuedAt}` : ''}`,
    ...Object.entries(health.audits).map(([nodeId, audit]) =>
      `audits        ${nodeId}  score ${audit.score.toFixed(3)}  ${audit.passed} passed, ${audit.failed} failed`),
    `repaired      ${repaired.segments} segments, ${repaired.shards} shards, ${formatByteSize(repaired.bytes)}; ${repaired.failures} failed attempts`,
    '',
  ].join('\n');
}

/** The whole screen: gateway, traffic, stored data, then the health lines and one row per node. */
export function formatStatus(status: GatewayStatus, now: Date): string {
  const { gateway, requests, segments, objects } = status;
  const lines = [
    `gateway       shardgate ${gateway.version}, up ${formatDuration(gateway.uptimeSeconds)} (since ${tableTime(gateway.startedAt)})`,
    `objects       ${objects.count} (${approximateBytes(objects.bytes)})`,
    `requests      ${requests.total} in the last ${formatDuration(requests.windowSeconds)}: ${requests.clientErrors} 4xx, ${requests.serverErrors} 5xx (${(requests.serverErrorRate * 100).toFixed(1)}% server errors)`,
    segments.completedAt === null
      ? 'stored        not counted yet (no checker pass completed)'
      : `stored        ${approximateBytes(segments.dataBytes)} of data in ${segments.segments} segments on the nodes, as of the checker's last pass`,
  ];
  const rows = status.nodeList.map((node) => [
    node.id, node.zone, node.state, approximateBytes(node.usedBytes), approximateBytes(node.freeBytes),
    ago(node.lastHeartbeatAt, now), node.readP95Ms === null ? '-' : `${node.readP95Ms} ms`,
  ]);
  const table = rows.length === 0 ? '' : `\n${formatTable(['NODE', 'ZONE', 'STATE', 'USED', 'FREE', 'HEARTBEAT', 'READ P95'], rows)}`;
  return `${lines.join('\n')}\n${formatHealth(status)}${table}`;
}
