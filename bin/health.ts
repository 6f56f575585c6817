/**
 * `shardgate health gateway|node`: exit 0 when the process answers its health endpoint with 200,
 * 1 otherwise, with one line saying what was asked and what came back. For container HEALTHCHECKs
 * (no curl in a slim image) and for scripts.
 */
import { ConfigError, formatHelp, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';

const SPECS: SettingSpecs = {
  url: {
    flag: 'url', kind: 'string', description: 'base URL to check',
    defaultText: 'gateway: http://127.0.0.1:$SHARDGATE_PORT (9000); node: http://127.0.0.1:$SHARDGATE_NODE_PORT (9100)',
  },
  timeout: { flag: 'timeout', env: 'SHARDGATE_HEALTH_TIMEOUT_MS', kind: 'integer', description: 'milliseconds to wait for the answer', defaultText: '3000' },
};

const HELP = formatHelp('shardgate health gateway|node [options]', 'Checks that a gateway (GET /_/health) or a shard node (GET /health) is up; exit 0 or 1.', SPECS);

const TARGETS = {
  gateway: { path: '/_/health', portEnv: 'SHARDGATE_PORT', defaultPort: '9000' },
  node: { path: '/health', portEnv: 'SHARDGATE_NODE_PORT', defaultPort: '9100' },
} as const;

export async function runHealthCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let target: (typeof TARGETS)[keyof typeof TARGETS];
  let url: URL;
  let timeoutMs: number;
  try {
    const parsed = readSettings(SPECS, argv, env);
    if (parsed.help) {
      process.stdout.write(HELP);
      return;
    }
    const which = parsed.positionals[0];
    if (which !== 'gateway' && which !== 'node') throw new ConfigError('say which process to check: shardgate health gateway|node');
    target = TARGETS[which];
    const base = parsed.values.url ?? `http://127.0.0.1:${env[target.portEnv] || target.defaultPort}`;
    try {
      url = new URL(target.path, base);
    } catch {
      throw new ConfigError(`--url must be an http(s) URL, got "${base}"`);
    }
    timeoutMs = parseInteger('--timeout', parsed.values.timeout ?? '3000', 1, 600_000);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shardgate health: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status !== 200) {
      process.stderr.write(`shardgate health: ${url.href} answered ${response.status}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`ok: ${url.href}\n`);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    process.stderr.write(`shardgate health: ${url.href} did not answer (${cause})\n`);
    process.exitCode = 1;
  }
}
