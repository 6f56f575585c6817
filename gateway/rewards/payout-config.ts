import { formatPrice, parsePrice } from '../../src/billing/price-table.ts';
import { ConfigError, type SettingSpecs } from '../../src/config/flags.ts';
import { DEFAULT_PAYOUT_PRICES, type PayoutPrices } from '../../src/rewards/payout-prices.ts';

/** The gateway's payout settings (merged into its flag table by config.ts). */
export const PAYOUT_SETTING_SPECS = {
  payoutStorage: { flag: 'payout-storage', env: 'SHARDGATE_PAYOUT_STORAGE', kind: 'string', description: 'paid to a node per GB-month of shards held (10^9 bytes, 720 h)', defaultText: formatPrice(DEFAULT_PAYOUT_PRICES.storageNanosPerGbMonth) },
  payoutEgress: { flag: 'payout-egress', env: 'SHARDGATE_PAYOUT_EGRESS', kind: 'string', description: 'paid to a node per GB of verified bytes served to client reads', defaultText: formatPrice(DEFAULT_PAYOUT_PRICES.egressNanosPerGb) },
  payoutRepairEgress: { flag: 'payout-repair-egress', env: 'SHARDGATE_PAYOUT_REPAIR_EGRESS', kind: 'string', description: 'paid to a node per GB of verified bytes served to repair and audit reads', defaultText: formatPrice(DEFAULT_PAYOUT_PRICES.repairEgressNanosPerGb) },
  payoutMinUptime: { flag: 'payout-min-uptime', env: 'SHARDGATE_PAYOUT_MIN_UPTIME', kind: 'string', description: 'least share (0..1) of observed requests a node must answer in a period, else its pay is withheld', defaultText: formatPrice(DEFAULT_PAYOUT_PRICES.minUptimeBillionths) },
  payoutMinAuditPass: { flag: 'payout-min-audit-pass', env: 'SHARDGATE_PAYOUT_MIN_AUDIT_PASS', kind: 'string', description: 'least share (0..1) of audits a node must pass in a period, else its pay is withheld', defaultText: formatPrice(DEFAULT_PAYOUT_PRICES.minAuditPassBillionths) },
} as const satisfies SettingSpecs;

type PayoutValues = { readonly [K in keyof typeof PAYOUT_SETTING_SPECS]?: string | undefined };

/** Validates the payout settings (prices in `currency`, billing's `--currency`); ConfigError naming the flag. */
export function loadPayoutSettings(values: PayoutValues, currency: string): { readonly payoutPrices: PayoutPrices } {
  const decimal = (flag: string, raw: string | undefined, fallback: bigint, max?: bigint) => {
    if (raw === undefined) return fallback;
    const nanos = parsePrice(raw);
    if (nanos === null || (max !== undefined && nanos > max)) {
      throw new ConfigError(`${flag} must be a ${max === undefined ? 'non-negative decimal' : 'decimal from 0 to 1'} with at most 9 fractional digits, got "${raw}"`);
    }
    return nanos;
  };
  const one = 1_000_000_000n;
  return {
    payoutPrices: Object.freeze({
      currency,
      storageNanosPerGbMonth: decimal('--payout-storage', values.payoutStorage, DEFAULT_PAYOUT_PRICES.storageNanosPerGbMonth),
      egressNanosPerGb: decimal('--payout-egress', values.payoutEgress, DEFAULT_PAYOUT_PRICES.egressNanosPerGb),
      repairEgressNanosPerGb: decimal('--payout-repair-egress', values.payoutRepairEgress, DEFAULT_PAYOUT_PRICES.repairEgressNanosPerGb),
      minUptimeBillionths: decimal('--payout-min-uptime', values.payoutMinUptime, DEFAULT_PAYOUT_PRICES.minUptimeBillionths, one),
      minAuditPassBillionths: decimal('--payout-min-audit-pass', values.payoutMinAuditPass, DEFAULT_PAYOUT_PRICES.minAuditPassBillionths, one),
    }),
  };
}
