/**
 * `shardgate status [--json] [--watch [seconds]]`: one screen from a running gateway
 * (`/_/admin/status`): version and uptime, S3 requests and errors of the last minutes, data
 * stored, nodes by state and one row per node (zone, used/free, last heartbeat, read p95),
 * segments by healthy shards, the repair queue, audits and what repair has done.
 */
import type { GatewayStatus } from '../gateway/status-route.ts';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';
import { formatStatus } from './status-format.ts';
import { watchScreen } from './watch-screen.ts';

export { formatHealth } from './status-format.ts';

const SPECS = {
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer (/_/admin/status) as JSON; with --watch one line per refresh' },
  watch: { flag: 'watch', kind: 'string', description: 'redraw every N seconds (default 2) until Ctrl-C', defaultText: 'off' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export const STATUS_HELP = formatHelp(
  'shardgate status [--json] [--watch [seconds]]',
  'Gateway version and uptime, recent requests and errors, data stored, nodes (state, zone, used/free,\nlast heartbeat, read p95), segments by healthy shards (as of the checker\'s last complete pass),\nthe repair queue and what repair has done since the gateway started.',
  SPECS,
);

/** `--watch` may stand alone (2 s) or take a number of seconds. */
export function withWatchValue(argv: readonly string[]): string[] {
  return argv.flatMap((arg, index) => {
    if (arg !== '--watch') return [arg];
    const next = argv[index + 1];
    return next === undefined || !/^\d+(\.\d+)?$/.test(next) ? ['--watch=2'] : [arg];
  });
}

export function parseWatchSeconds(raw: string): number {
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || seconds < 0.5 || seconds > 3600) throw new ConfigError(`--watch takes seconds from 0.5 to 3600, got "${raw}"`);
  return seconds;
}

export async function runStatusCli(argv: readonly string[]): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, withWatchValue(argv), process.env);
    if (help) {
      process.stdout.write(STATUS_HELP);
      return;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    const watchSeconds = v.watch === undefined ? null : parseWatchSeconds(v.watch);
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken };
    const fetchStatus = () => adminRequest<GatewayStatus>(endpoint, 'GET', '/_/admin/status');
    if (watchSeconds === null) {
      const status = await fetchStatus();
      process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, new Date()));
      return;
    }
    if (json) {
      for (;;) {
        const line = await fetchStatus().then((status) => JSON.stringify(status), (error: Error) => JSON.stringify({ error: error.message }));
        process.stdout.write(`${line}\n`);
        await new Promise((resolve) => setTimeout(resolve, watchSeconds * 1000));
      }
    }
    await watchScreen({
      intervalMs: watchSeconds * 1000,
      out: process.stdout,
      frame: async () => formatStatus(await fetchStatus(), new Date()),
      failed: (error) => `shardgate status: ${(error as Error).message}`,
      title: (now) => `shardgate status  ${endpoint.url.origin}  every ${watchSeconds}s  ${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}  (Ctrl-C to stop)`,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate status: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}
