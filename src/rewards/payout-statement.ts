import { divideRounded, formatDecimal } from '../billing/decimal.ts';
import { amountNanos, priced } from '../billing/invoice.ts';
import { BYTE_MS_PER_GB_MONTH, BYTES_PER_GB, DECIMAL_SCALE, NANOS_PER_UNIT } from '../billing/units.ts';
import type { NodeServiceTotal, ServiceKind } from '../meta/rewards-types.ts';
import type { TimeWindow } from '../meta/usage-types.ts';
import { payoutPricesJson, type PayoutPrices } from './payout-prices.ts';

export type PayoutItem = 'storage' | 'egress' | 'repair-egress' | 'withheld';

/**
 * One line of a statement. Quantities and amounts are decimal strings with at most 9 fractional
 * digits (exact, JSON-safe); each amount is rounded to a nano once, and the total is the sum of
 * the line amounts. A `withheld` line cancels the others: its amount is minus their sum.
 */
export interface PayoutLine {
  readonly item: PayoutItem;
  readonly description: string;
  readonly quantity: string;
  readonly unit: 'GB-month' | 'GB' | '';
  readonly price: string;
  readonly priceUnit: 'GB-month' | 'GB' | '';
  readonly amount: string;
}

/** Why a period's pay is withheld. */
export type WithholdCode = 'uptime' | 'audits' | 'unobserved';

export interface WithholdReason {
  readonly code: WithholdCode;
  readonly message: string;
}

export interface ServiceFigures {
  /** Chunk bytes that passed verification (they earn). */
  readonly verifiedBytes: number;
  /** Chunk bytes that failed verification (they earn nothing and count against the node). */
  readonly failedBytes: number;
  readonly answered: number;
  readonly failed: number;
}

/**
 * A node's payout statement for a window. Every figure is measured over `paidWindow`: the
 * requested window, cut at the node's disqualification (null when it was disqualified before the
 * window began: it earns nothing in it).
 */
export interface PayoutStatement {
  readonly node: { readonly id: string; readonly operatorId: string | null; readonly zone: string };
  readonly window: { readonly from: string; readonly to: string };
  readonly paidWindow: { readonly from: string; readonly to: string } | null;
  readonly disqualifiedAt: string | null;
  readonly currency: string;
  readonly prices: Record<string, string>;
  readonly usage: {
    /** Σ shard bytes × milliseconds held, exact, as a decimal string. */
    readonly storedByteMs: string;
    readonly egress: Readonly<Record<ServiceKind, ServiceFigures>>;
    /** Requests the gateway sent that the node answered in time with verified bytes, and those it failed. */
    readonly requests: { readonly answered: number; readonly failed: number };
    /** answered / (answered + failed), 9 digits; null when no request was observed. */
    readonly uptime: string | null;
    readonly audits: { readonly passed: number; readonly failed: number };
    /** Hour slots of the window in which any request to the node was observed (per kind, the most). */
    readonly observedHours: number;
  };
  readonly status: 'payable' | 'withheld';
  readonly withheld: readonly WithholdReason[];
  readonly lines: readonly PayoutLine[];
  readonly total: string;
}

export interface StatementInput {
  readonly node: PayoutStatement['node'];
  readonly window: TimeWindow;
  readonly disqualifiedAt: Date | null;
  readonly prices: PayoutPrices;
  /** Measured over `paidWindowOf(window, disqualifiedAt)`. */
  readonly storedByteMs: bigint;
  readonly service: readonly NodeServiceTotal[];
}

/** The part of the window a node is paid for: all of it, up to its disqualification, or none. */
export function paidWindowOf(window: TimeWindow, disqualifiedAt: Date | null): TimeWindow | null {
  if (disqualifiedAt === null || disqualifiedAt.getTime() >= window.to.getTime()) return window;
  if (disqualifiedAt.getTime() <= window.from.getTime()) return null;
  return { from: window.from, to: disqualifiedAt };
}

const EMPTY_FIGURES: ServiceFigures = { verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 0 };

/** Prices one node's measured work; pure. */
export function buildPayoutStatement(input: StatementInput): PayoutStatement {
  const { prices } = input;
  const paidWindow = paidWindowOf(input.window, input.disqualifiedAt);
  const byKind = new Map(input.service.map((total) => [total.kind, total]));
  const figures = (kind: ServiceKind): ServiceFigures => {
    const total = byKind.get(kind);
    return total ? { verifiedBytes: total.verifiedBytes, failedBytes: total.failedBytes, answered: total.answered, failed: total.failed } : EMPTY_FIGURES;
  };
  const egress = { client: figures('client'), repair: figures('repair'), audit: figures('audit') };
  const answered = input.service.reduce((sum, total) => sum + total.answered, 0);
  const failed = input.service.reduce((sum, total) => sum + total.failed, 0);
  const auditsPassed = input.service.reduce((sum, total) => sum + total.auditsPassed, 0);
  const auditsFailed = input.service.reduce((sum, total) => sum + total.auditsFailed, 0);
  const observedHours = input.service.reduce((most, total) => Math.max(most, total.observedSlots), 0);
  const requests = BigInt(answered + failed);
  const uptimeBillionths = requests === 0n ? null : divideRounded(BigInt(answered) * NANOS_PER_UNIT, requests);

  const lines: PayoutLine[] = [
    { item: 'storage', description: 'Storage held', ...priced(input.storedByteMs, BYTE_MS_PER_GB_MONTH, prices.storageNanosPerGbMonth, 'GB-month') },
    { item: 'egress', description: 'Verified egress to client reads', ...priced(BigInt(egress.client.verifiedBytes), BYTES_PER_GB, prices.egressNanosPerGb, 'GB') },
    {
      item: 'repair-egress',
      description: 'Verified egress to repair and audit reads',
      ...priced(BigInt(egress.repair.verifiedBytes + egress.audit.verifiedBytes), BYTES_PER_GB, prices.repairEgressNanosPerGb, 'GB'),
    },
  ];
  const earned = lines.reduce((sum, line) => sum + amountNanos(line), 0n);

  const withheld: WithholdReason[] = [];
  // Exact comparisons: answered / requests < min  ⇔  answered · 10^9 < min · requests.
  if (requests > 0n && BigInt(answered) * NANOS_PER_UNIT < prices.minUptimeBillionths * requests) {
    withheld.push({ code: 'uptime', message: `uptime ${formatDecimal(uptimeBillionths!, DECIMAL_SCALE)} (${answered} of ${answered + failed} requests answered) is below ${formatDecimal(prices.minUptimeBillionths, DECIMAL_SCALE)}` });
  }
  const audits = BigInt(auditsPassed + auditsFailed);
  if (audits > 0n && BigInt(auditsPassed) * NANOS_PER_UNIT < prices.minAuditPassBillionths * audits) {
    withheld.push({ code: 'audits', message: `${auditsFailed} of ${auditsPassed + auditsFailed} audits failed: passed share below ${formatDecimal(prices.minAuditPassBillionths, DECIMAL_SCALE)}` });
  }
  if (requests === 0n && input.storedByteMs > 0n) {
    withheld.push({ code: 'unobserved', message: 'no read or audit reached the node in this period: nothing verified that it held its shards' });
  }
  const withholding = withheld.length > 0 && earned > 0n;
  if (withholding) {
    lines.push({
      item: 'withheld', description: `Withheld: ${withheld.map((reason) => reason.code).join(', ')}`,
      quantity: '', unit: '', price: '', priceUnit: '', amount: formatDecimal(-earned, DECIMAL_SCALE),
    });
  }
  // amountNanos reads non-negative amounts only; the withheld line is minus the rest.
  const total = withholding ? 0n : earned;
  return {
    node: input.node,
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    paidWindow: paidWindow && { from: paidWindow.from.toISOString(), to: paidWindow.to.toISOString() },
    disqualifiedAt: input.disqualifiedAt?.toISOString() ?? null,
    currency: prices.currency,
    prices: payoutPricesJson(prices),
    usage: {
      storedByteMs: input.storedByteMs.toString(),
      egress,
      requests: { answered, failed },
      uptime: uptimeBillionths === null ? null : formatDecimal(uptimeBillionths, DECIMAL_SCALE),
      audits: { passed: auditsPassed, failed: auditsFailed },
      observedHours,
    },
    status: withheld.length > 0 ? 'withheld' : 'payable',
    withheld,
    lines,
    total: formatDecimal(total, DECIMAL_SCALE),
  };
}
