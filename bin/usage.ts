/**
 * `shardgate usage`: an account's invoice, or where packing small objects would save money, from a
 * running gateway's admin API (`/_/admin/usage`, `/_/admin/usage/advice`).
 */
import type { Invoice } from '../src/billing/invoice.ts';
import { formatInvoice, formatPackingAdvice } from '../src/billing/invoice-text.ts';
import type { PackingAdvice } from '../src/billing/packing-advice.ts';
import { ConfigError, parseBoolean, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest } from './admin-client.ts';
import { runAdminCommand, type AdminCommand } from './admin-command.ts';

const USAGE: AdminCommand<{
  account: SettingSpecs[string]; from: SettingSpecs[string]; to: SettingSpecs[string]; advise: SettingSpecs[string]; limit: SettingSpecs[string];
}> = {
  name: 'usage',
  usage: 'shardgate usage --account NAME [--from TIME] [--to TIME] [--json]\n       shardgate usage --advise [--account NAME] [--limit N] [--json]',
  summary: 'Prints an account\'s invoice (storage GB-month, the small-object floor as its own line, egress, requests),\nor the prefixes with the most small objects and what packing each into one archive would save.',
  specs: {
    account: { flag: 'account', kind: 'string', description: 'account name (required for an invoice)' },
    from: { flag: 'from', kind: 'string', description: 'window start, ISO 8601 (2025-01-01, 2025-01-01T12:00:00Z)', defaultText: 'start of this UTC month' },
    to: { flag: 'to', kind: 'string', description: 'window end (exclusive), ISO 8601', defaultText: 'now' },
    advise: { flag: 'advise', kind: 'boolean', description: 'list prefixes whose small objects packing would make cheaper' },
    limit: { flag: 'limit', kind: 'integer', description: 'prefixes to list with --advise', defaultText: '10' },
  },
  async run({ values: v, positionals, endpoint, print }) {
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const advise = v.advise !== undefined && parseBoolean('--advise', v.advise);
    const query = new URLSearchParams();
    if (v.account !== undefined) query.set('account', v.account);
    if (advise) {
      if (v.from !== undefined || v.to !== undefined) throw new ConfigError('--from and --to do not apply to --advise');
      if (v.limit !== undefined) query.set('limit', String(parseInteger('--limit', v.limit, 1, 1000)));
      const answer = await adminRequest<{ currency: string; floorBytes: number; prefixes: PackingAdvice[] }>(endpoint, 'GET', '/_/admin/usage/advice', { query });
      print(answer, formatPackingAdvice(answer.prefixes, answer.floorBytes, answer.currency));
      return;
    }
    if (v.account === undefined) throw new ConfigError('--account NAME is required (or --advise)');
    if (v.limit !== undefined) throw new ConfigError('--limit applies to --advise only');
    if (v.from !== undefined) query.set('from', v.from);
    if (v.to !== undefined) query.set('to', v.to);
    const invoice = await adminRequest<Invoice>(endpoint, 'GET', '/_/admin/usage', { query });
    print(invoice, formatInvoice(invoice));
  },
};

export function runUsageCli(argv: readonly string[]): Promise<void> {
  return runAdminCommand(USAGE, argv);
}
