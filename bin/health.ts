/**
 * `shardgate health gateway|node`: exit 0 when the process answers its health endpoint with 200,
 * 1 otherwise, with one line saying what was asked and what came back. For container HEALTHCHECKs
 * (no curl in a slim image) and for scripts.
 */
import { Agent, request } from 'undici';
import { ConfigError, formatHelp, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';

const SPECS: SettingSpecs = {
  url: {
    flag: 'url', kind: 'string', description: 'base URL to check',
    defaultText: 'http(s)://127.0.0.1:$SHARDGATE_PORT (9000) for a gateway, :$SHARDGATE_NODE_PORT (9100) for a node; https when SHARDGATE_TLS_CERT / SHARDGATE_NODE_TLS say so',
  },
  timeout: { flag: 'timeout', env: 'SHARDGATE_HEALTH_TIMEOUT_MS', kind: 'integer', description: 'milliseconds to wait for the answer', defaultText: '3000' },
};

const HELP = formatHelp('shardgate health gateway|node [options]', 'Checks that a gateway (GET /_/health) or a shard node (GET /health) is up; exit 0 or 1.', SPECS);

const TARGETS = {
  gateway: { path: '/_/health', portEnv: 'SHARDGATE_PORT', defaultPort: '9000', tls: (env: NodeJS.ProcessEnv) => Boolean(env.SHARDGATE_TLS_CERT) },
  node: { path: '/health', portEnv: 'SHARDGATE_NODE_PORT', defaultPort: '9100', tls: (env: NodeJS.ProcessEnv) => /^(1|true|yes|on)$/i.test(env.SHARDGATE_NODE_TLS ?? '') },
} as const;

/**
 * A liveness probe of a process on this machine: a TLS certificate is not checked (a node's is
 * self-signed by its key and pinned by the gateway, not by a certificate authority).
 */
const LOCAL_TLS = new Agent({ connect: { rejectUnauthorized: false } });

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
    const base = parsed.values.url ?? `${target.tls(env) ? 'https' : 'http'}://127.0.0.1:${env[target.portEnv] || target.defaultPort}`;
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
    const response = await request(url, { signal: AbortSignal.timeout(timeoutMs), dispatcher: url.protocol === 'https:' ? LOCAL_TLS : undefined });
    await response.body.dump();
    if (response.statusCode !== 200) {
      process.stderr.write(`shardgate health: ${url.href} answered ${response.statusCode}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`ok: ${url.href}\n`);
  } catch (error) {
    const cause = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    process.stderr.write(`shardgate health: ${url.href} did not answer (${cause})\n`);
    process.exitCode = 1;
  }
}
