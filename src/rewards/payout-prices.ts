import { formatPrice } from '../billing/price-table.ts';

/**
 * What the network pays node operators, and the thresholds below which a node's pay for a period
 * is withheld. Prices are in nanos (10^-9 of `currency`), ratios in billionths (scale 9), so every
 * figure and every comparison is exact.
 */
export interface PayoutPrices {
  readonly currency: string;
  /** Per GB-month (10^9 bytes × 720 h) of shard bytes held. */
  readonly storageNanosPerGbMonth: bigint;
  /** Per GB of verified bytes served to client reads. */
  readonly egressNanosPerGb: bigint;
  /** Per GB of verified bytes served to repair and audit reads. */
  readonly repairEgressNanosPerGb: bigint;
  /** Least share of requests answered (0..1, in billionths) for a period to be paid. */
  readonly minUptimeBillionths: bigint;
  /** Least share of audits passed (0..1, in billionths) for a period to be paid. */
  readonly minAuditPassBillionths: bigint;
}

/**
 * Storj's published node payouts (USD 1.50 per TB-month stored, 2.00 per TB of egress, 2.00 per TB
 * of repair and audit egress) per GB, and thresholds of 95 % uptime and 95 % audits passed: the
 * defaults the README lists.
 */
export const DEFAULT_PAYOUT_PRICES: PayoutPrices = Object.freeze({
  currency: 'USD',
  storageNanosPerGbMonth: 1_500_000n, // 0.0015 per GB-month
  egressNanosPerGb: 2_000_000n, // 0.002 per GB
  repairEgressNanosPerGb: 2_000_000n, // 0.002 per GB
  minUptimeBillionths: 950_000_000n, // 0.95
  minAuditPassBillionths: 950_000_000n, // 0.95
});

/** The price table as plain JSON (decimal strings), as statements carry it. */
export function payoutPricesJson(prices: PayoutPrices): Record<string, string> {
  return {
    currency: prices.currency,
    storagePerGbMonth: formatPrice(prices.storageNanosPerGbMonth),
    egressPerGb: formatPrice(prices.egressNanosPerGb),
    repairEgressPerGb: formatPrice(prices.repairEgressNanosPerGb),
    minUptime: formatPrice(prices.minUptimeBillionths),
    minAuditPass: formatPrice(prices.minAuditPassBillionths),
  };
}
