/**
 * `shardgate payouts`: node operators' payout statements from a running gateway's admin API
 * (`GET /_/admin/payouts`).
 */
import { ConfigError, type SettingSpecs } from '../src/config/flags.ts';
import { formatPayoutReport, type PayoutReportView } from '../src/rewards/payout-text.ts';
import { adminRequest } from './admin-client.ts';
import { runAdminCommand, type AdminCommand } from './admin-command.ts';

const PAYOUTS: AdminCommand<{ node: SettingSpecs[string]; from: SettingSpecs[string]; to: SettingSpecs[string] }> = {
  name: 'payouts',
  usage: 'shardgate payouts [--node ID] [--from TIME] [--to TIME] [--json]',
  summary: 'Prints what each shard node earned in a window: stored GB-month, verified egress, uptime and audits as\nthe gateway observed them, priced by the gateway\'s --payout-* table; a node below a threshold is withheld.',
  specs: {
    node: { flag: 'node', kind: 'string', description: 'one node\'s statement (default: every node)' },
    from: { flag: 'from', kind: 'string', description: 'window start, ISO 8601 (2025-01-01, 2025-01-01T12:00:00Z)', defaultText: 'start of this UTC month' },
    to: { flag: 'to', kind: 'string', description: 'window end (exclusive), ISO 8601', defaultText: 'now' },
  },
  async run({ values: v, positionals, endpoint, print }) {
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const query = new URLSearchParams();
    if (v.node !== undefined) query.set('node', v.node);
    if (v.from !== undefined) query.set('from', v.from);
    if (v.to !== undefined) query.set('to', v.to);
    const report = await adminRequest<PayoutReportView>(endpoint, 'GET', '/_/admin/payouts', { query });
    print(report, formatPayoutReport(report));
  },
};

export function runPayoutsCli(argv: readonly string[]): Promise<void> {
  return runAdminCommand(PAYOUTS, argv);
}
