import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeRecord } from '../../src/meta/types.ts';
import type { TimeWindow } from '../../src/meta/usage-types.ts';
import { formatDecimal } from '../../src/billing/decimal.ts';
import { DECIMAL_SCALE, NANOS_PER_UNIT } from '../../src/billing/units.ts';
import { payoutPricesJson, type PayoutPrices } from '../../src/rewards/payout-prices.ts';
import { buildPayoutStatement, paidWindowOf, type PayoutStatement } from '../../src/rewards/payout-statement.ts';

/**
 * What `GET /_/admin/payouts` and `POST /_/nodes/earnings` answer: the statements of the nodes
 * asked for (one, or every node the store knows, by id) for one window, and their sum.
 */
export interface PayoutReport {
  readonly window: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly prices: Record<string, string>;
  readonly nodes: readonly PayoutStatement[];
  /** Sum of the statements' totals (withheld pay excluded). */
  readonly total: string;
  /** Sum of what was withheld. */
  readonly withheldTotal: string;
}

type ReportStore = Pick<MetaStore, 'storedByteMs' | 'sumNodeService' | 'listNodeAdminStates'>;

/** One node's statement: byte-time and service over the window cut at its disqualification, priced. */
export async function computeNodeStatement(
  store: Pick<MetaStore, 'storedByteMs' | 'sumNodeService'>, node: NodeRecord, disqualifiedAt: Date | null, window: TimeWindow, prices: PayoutPrices,
): Promise<PayoutStatement> {
  const paid = paidWindowOf(window, disqualifiedAt);
  const storedByteMs = paid ? await store.storedByteMs(node.id, paid) : 0n;
  const service = paid ? await store.sumNodeService(node.id, paid) : [];
  return buildPayoutStatement({
    node: { id: node.id, operatorId: node.operatorId, zone: node.zone }, window, disqualifiedAt, prices, storedByteMs, service,
  });
}

/** The statements of `nodes` (one store query pair each: memory is one statement per node). */
export async function computePayoutReport(
  store: ReportStore, nodes: readonly NodeRecord[], window: TimeWindow, prices: PayoutPrices,
): Promise<PayoutReport> {
  const disqualified = new Map((await store.listNodeAdminStates()).filter((r) => r.state === 'disqualified').map((r) => [r.nodeId, r.since]));
  const statements: PayoutStatement[] = [];
  for (const node of nodes) statements.push(await computeNodeStatement(store, node, disqualified.get(node.id) ?? null, window, prices));
  let total = 0n;
  let withheld = 0n;
  for (const statement of statements) {
    total += nanos(statement.total);
    const line = statement.lines.find((l) => l.item === 'withheld');
    if (line) withheld += -nanos(line.amount);
  }
  return {
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    currency: prices.currency,
    prices: payoutPricesJson(prices),
    nodes: statements,
    total: formatDecimal(total, DECIMAL_SCALE),
    withheldTotal: formatDecimal(withheld, DECIMAL_SCALE),
  };
}

/** A decimal string with at most 9 fractional digits (either sign) back to nanos. */
function nanos(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const value = BigInt(whole!) * NANOS_PER_UNIT + BigInt(fraction.padEnd(DECIMAL_SCALE, '0') || '0');
  return negative ? -value : value;
}
