/**
 * `shardgate status [--json]`: the cluster's health from a running gateway (`/_/admin/health`):
 * nodes by state, segments by healthy shards (n, n-1, … k, below k = lost), the repair queue
 * and what repair has done.
 */
import type { ClusterHealth } from '../gateway/repair/repair-service.ts';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { formatByteSize } from '../src/billing/units.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl } from './admin-client.ts';

const SPECS = {
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export const STATUS_HELP = formatHelp(
  'shardgate status [--json]',
  'Nodes by state, segments by healthy shards (as of the checker\'s last complete pass), the repair\nqueue (length, oldest entry) and what repair has done since the gateway started.',
  SPECS,
);

export async function runStatusCli(argv: readonly string[]): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(STATUS_HELP);
      return;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const health = await adminRequest<ClusterHealth>(
      { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken }, 'GET', '/_/admin/health',
    );
    process.stdout.write(json ? `${JSON.stringify(health, null, 2)}\n` : formatHealth(health));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate status: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
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
