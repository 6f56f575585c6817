/**
 * `shardgate status [--json] [--watch [seconds]]`: one screen from a running gateway
 * (`/_/admin/status`): version and uptime, S3 requests and errors of the last minutes, data
 * stored, nodes by state and one row per node (zone, used/free, last heartbeat, read p95),
 * segments by healthy shards, the repair queue, audits and what repair has done.
 */
import type { GatewayStatus } from '../gateway/status-route.ts';
import { ConfigError, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest } from './admin-client.ts';
import { runAdminCommand, type AdminCommand } from './admin-command.ts';
import { formatStatus } from './status-format.ts';
import { watchScreen } from './watch-screen.ts';

export { formatHealth } from './status-format.ts';

const SPECS = {
  watch: { flag: 'watch', kind: 'string', description: 'redraw every N seconds (default 2) until Ctrl-C; with --json one line per refresh', defaultText: 'off' },
} as const satisfies SettingSpecs;

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

const STATUS: AdminCommand<typeof SPECS> = {
  name: 'status',
  usage: 'shardgate status [--json] [--watch [seconds]]',
  summary: 'Gateway version and uptime, recent requests and errors, data stored, nodes (state, zone, used/free,\nlast heartbeat, read p95), segments by healthy shards (as of the checker\'s last complete pass),\nthe repair queue and what repair has done since the gateway started.',
  specs: SPECS,
  async run({ values, positionals, endpoint, json, print }) {
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const watchSeconds = values.watch === undefined ? null : parseWatchSeconds(values.watch);
    const fetchStatus = () => adminRequest<GatewayStatus>(endpoint, 'GET', '/_/admin/status');
    if (watchSeconds === null) {
      const status = await fetchStatus();
      print(status, formatStatus(status, new Date()));
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
  },
};

export function runStatusCli(argv: readonly string[]): Promise<void> {
  return runAdminCommand(STATUS, withWatchValue(argv));
}
