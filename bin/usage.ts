/**
 * `shardgate usage`: an account's invoice, or where packing small objects would save money, from a
 * running gateway's admin API (`/_/admin/usage`, `/_/admin/usage/advice`).
 */
import type { Invoice } from '../src/billing/invoice.ts';
import { formatInvoice, formatPackingAdvice } from '../src/billing/invoice-text.ts';
import type { PackingAdvice } from '../src/billing/packing-advice.ts';
import { ConfigError, formatHelp, parseBoolean, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';

const SPECS = {
  account: { flag: 'account', kind: 'string', description: 'account name (required for an invoice)' },
  from: { flag: 'from', kind: 'string', description: 'window start, ISO 8601 (2025-01-01, 2025-01-01T12:00:00Z)', defaultText: 'start of this UTC month' },
  to: { flag: 'to', kind: 'string', description: 'window end (exclusive), ISO 8601', defaultText: 'now' },
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  advise: { flag: 'advise', kind: 'boolean', description: 'list prefixes whose small objects packing would make cheaper' },
  limit: { flag: 'limit', kind: 'integer', description: 'prefixes to list with --advise', defaultText: '10' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway\'s admin token, required' },
} as const satisfies SettingSpecs;

export const USAGE_HELP = formatHelp(
  'shardgate usage --account NAME [--from TIME] [--to TIME] [--json]\n       shardgate usage --advise [--account NAME] [--limit N] [--json]',
  'Prints an account\'s invoice (storage GB-month, the small-object floor as its own line, egress, requests),\nor the prefixes with the most small objects and what packing each into one archive would save.',
  SPECS,
);

class UsageCommandError extends Error {
  readonly code = 'USAGE_COMMAND_FAILED';
  override name = 'UsageCommandError';
}

export async function runUsageCli(argv: readonly string[]): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(USAGE_HELP);
      return;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const advise = v.advise !== undefined && parseBoolean('--advise', v.advise);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    const adminToken = v.adminToken;
    if (!adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint = parseEndpoint(v.endpoint ?? 'http://127.0.0.1:9000');
    const query = new URLSearchParams();
    if (v.account !== undefined) query.set('account', v.account);
    if (advise) {
      if (v.from !== undefined || v.to !== undefined) throw new ConfigError('--from and --to do not apply to --advise');
      if (v.limit !== undefined) query.set('limit', String(parseInteger('--limit', v.limit, 1, 1000)));
      const answer = await getJson<{ currency: string; floorBytes: number; prefixes: PackingAdvice[] }>(endpoint, '/_/admin/usage/advice', query, adminToken);
      process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : formatPackingAdvice(answer.prefixes, answer.floorBytes, answer.currency));
      return;
    }
    if (v.account === undefined) throw new ConfigError('--account NAME is required (or --advise)');
    if (v.limit !== undefined) throw new ConfigError('--limit applies to --advise only');
    if (v.from !== undefined) query.set('from', v.from);
    if (v.to !== undefined) query.set('to', v.to);
    const invoice = await getJson<Invoice>(endpoint, '/_/admin/usage', query, adminToken);
    process.stdout.write(json ? `${JSON.stringify(invoice, null, 2)}\n` : formatInvoice(invoice));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageCommandError) {
      process.stderr.write(`shardgate usage: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

function parseEndpoint(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the one-line error
  }
  throw new ConfigError(`--endpoint must be an http(s) URL such as http://127.0.0.1:9000, got "${raw}"`);
}

/** GET an admin path; any failure becomes a one-line UsageCommandError carrying the gateway's message. */
async function getJson<T>(endpoint: URL, path: string, query: URLSearchParams, adminToken: string): Promise<T> {
  const url = new URL(path, endpoint);
  url.search = query.toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageCommandError(`cannot reach ${endpoint.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageCommandError(`${url.pathname} answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const message = (body as { message?: string }).message ?? text;
    throw new UsageCommandError(`${response.status}: ${message}`);
  }
  return body as T;
}
