import { parseDecimal } from '../billing/decimal.ts';
import { formatMoney } from '../billing/price-table.ts';
import { DECIMAL_SCALE } from '../billing/units.ts';
import type { PayoutStatement } from './payout-statement.ts';

/** The shape of `GET /_/admin/payouts` the text needs (gateway/rewards/payout-report.ts). */
export interface PayoutReportView {
  readonly window: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly nodes: readonly PayoutStatement[];
  readonly total: string;
  readonly withheldTotal: string;
}

/**
 * A payout report as `shardgate payouts` and `shardgate node earnings` print it: one row per node
 * (stored GB-month, verified egress, uptime, audits, status, amount), the withheld reasons, the
 * totals; with a single node, its priced lines too.
 */
export function formatPayoutReport(report: PayoutReportView): string {
  const money = (decimal: string) => formatMoney(parseDecimal(decimal.replace(/^-/, ''), DECIMAL_SCALE) ?? 0n, report.currency);
  const quantity = (statement: PayoutStatement, item: string) => statement.lines.find((line) => line.item === item)?.quantity ?? '0';
  const header = ['node', 'zone', 'stored GB-month', 'egress GB', 'repair+audit GB', 'failed bytes', 'uptime', 'audits', 'status', 'paid'];
  const rows = report.nodes.map((s) => {
    const { egress, audits, uptime } = s.usage;
    const failedBytes = egress.client.failedBytes + egress.repair.failedBytes + egress.audit.failedBytes;
    return [
      s.node.id, s.node.zone, quantity(s, 'storage'), quantity(s, 'egress'), quantity(s, 'repair-egress'), String(failedBytes),
      uptime ?? 'unobserved', `${audits.passed}/${audits.passed + audits.failed}`, s.disqualifiedAt ? `${s.status} (disqualified)` : s.status, money(s.total),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const render = (row: readonly string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  const out = [`Payouts from ${report.window.from} to ${report.window.to}, in ${report.currency}`, '', render(header), ...rows.map(render)];
  for (const statement of report.nodes) {
    for (const reason of statement.withheld) out.push(`  ${statement.node.id} withheld (${reason.code}): ${reason.message}`);
    if (statement.disqualifiedAt) out.push(`  ${statement.node.id} disqualified at ${statement.disqualifiedAt}: nothing earned after it`);
  }
  if (report.nodes.length === 1) {
    out.push('');
    for (const line of report.nodes[0]!.lines) {
      const priced = line.unit === '' ? '' : `${line.quantity} ${line.unit} × ${money(line.price)}/${line.priceUnit}`;
      out.push(`  ${line.description.padEnd(44)} ${priced.padEnd(40)} ${line.amount.startsWith('-') ? '-' : ''}${money(line.amount)}`);
    }
  }
  out.push('', `Total paid ${money(report.total)}; withheld ${money(report.withheldTotal)}`);
  return `${out.join('\n')}\n`;
}
