/**
 * `shardgate usage`: an account's invoice, or where packing small objects would save money, from a
 * running gateway's admin API (`/_/admin/usage`, `/_/admin/usage/advice`).
 */
import type { Invoice } from '../src/billing/invoice.ts';
import { formatInvoice, formatPackingAdvice } from '../src/billing/invoice-text.ts';
import type { PackingAdvice } from '../src/billing/packing-advice.ts';
import { ConfigError, formatHelp, parseBoolean, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';

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
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken };
    const query = new URLSearchParams();
    if (v.account !== undefined) query.set('account', v.account);
    if (advise) {
      if (v.from !== undefined || v.to !== undefined) throw new ConfigError('--from and --to do not apply to --advise');
      if (v.limit !== undefined) query.set('limit', String(parseInteger('--limit', v.limit, 1, 1000)));
      const answer = await adminRequest<{ currency: string; floorBytes: number; prefixes: PackingAdvice[] }>(endpoint, 'GET', '/_/admin/usage/advice', { query });
      process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : formatPackingAdvice(answer.prefixes, answer.floorBytes, answer.currency));
      return;
    }
    if (v.account === undefined) throw new ConfigError('--account NAME is required (or --advise)');
    if (v.limit !== undefined) throw new ConfigError('--limit applies to --advise only');
    if (v.from !== undefined) query.set('from', v.from);
    if (v.to !== undefined) query.set('to', v.to);
    const invoice = await adminRequest<Invoice>(endpoint, 'GET', '/_/admin/usage', { query });
    process.stdout.write(json ? `${JSON.stringify(invoice, null, 2)}\n` : formatInvoice(invoice));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate usage: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}
