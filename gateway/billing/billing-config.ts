import { DEFAULT_PRICE_TABLE, formatPrice, parsePrice, type PriceTable } from '../../src/billing/price-table.ts';
import { formatByteSize } from '../../src/billing/units.ts';
import { ConfigError, parseBoolean, parseBytes, type SettingSpecs } from '../../src/config/flags.ts';

/** The gateway's billing settings (merged into its flag table by config.ts). */
export const BILLING_SETTING_SPECS = {
  billing: { flag: 'billing', env: 'SHARDGATE_BILLING', kind: 'boolean', description: 'meter every S3 request into the usage ledger', defaultText: 'true' },
  billingFloor: { flag: 'billing-floor', env: 'SHARDGATE_BILLING_FLOOR', kind: 'bytes', description: 'smallest size an object is billed as', defaultText: formatByteSize(DEFAULT_PRICE_TABLE.floorBytes).replace(' ', '') },
  priceStorage: { flag: 'price-storage', env: 'SHARDGATE_PRICE_STORAGE', kind: 'string', description: 'price per GB-month stored (10^9 bytes, 720 h)', defaultText: formatPrice(DEFAULT_PRICE_TABLE.storageNanosPerGbMonth) },
  priceEgress: { flag: 'price-egress', env: 'SHARDGATE_PRICE_EGRESS', kind: 'string', description: 'price per GB sent to clients', defaultText: formatPrice(DEFAULT_PRICE_TABLE.egressNanosPerGb) },
  priceWriteRequests: { flag: 'price-write-requests', env: 'SHARDGATE_PRICE_WRITE_REQUESTS', kind: 'string', description: 'price per 1,000 PUT, COPY, POST, LIST requests', defaultText: formatPrice(DEFAULT_PRICE_TABLE.writeNanosPer1000Requests) },
  priceReadRequests: { flag: 'price-read-requests', env: 'SHARDGATE_PRICE_READ_REQUESTS', kind: 'string', description: 'price per 1,000 GET, HEAD and other requests', defaultText: formatPrice(DEFAULT_PRICE_TABLE.readNanosPer1000Requests) },
  currency: { flag: 'currency', env: 'SHARDGATE_CURRENCY', kind: 'string', description: 'ISO 4217 code of the prices', defaultText: DEFAULT_PRICE_TABLE.currency },
} as const satisfies SettingSpecs;

type BillingValues = { readonly [K in keyof typeof BILLING_SETTING_SPECS]?: string | undefined };

export interface BillingSettings {
  readonly billing: boolean;
  readonly prices: PriceTable;
}

/** Validates the billing settings; ConfigError with a one-line message naming the flag. */
export function loadBillingSettings(values: BillingValues): BillingSettings {
  const price = (flag: string, raw: string | undefined, fallback: bigint) => {
    if (raw === undefined) return fallback;
    const nanos = parsePrice(raw);
    if (nanos === null) throw new ConfigError(`${flag} must be a non-negative decimal with at most 9 fractional digits, got "${raw}"`);
    return nanos;
  };
  const currency = values.currency ?? DEFAULT_PRICE_TABLE.currency;
  if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError(`--currency must be a three-letter ISO 4217 code such as USD, got "${currency}"`);
  const floorBytes = values.billingFloor === undefined ? DEFAULT_PRICE_TABLE.floorBytes : parseBytes('--billing-floor', values.billingFloor);
  return {
    billing: values.billing === undefined ? true : parseBoolean('--billing', values.billing),
    prices: Object.freeze({
      currency,
      floorBytes,
      storageNanosPerGbMonth: price('--price-storage', values.priceStorage, DEFAULT_PRICE_TABLE.storageNanosPerGbMonth),
      egressNanosPerGb: price('--price-egress', values.priceEgress, DEFAULT_PRICE_TABLE.egressNanosPerGb),
      writeNanosPer1000Requests: price('--price-write-requests', values.priceWriteRequests, DEFAULT_PRICE_TABLE.writeNanosPer1000Requests),
      readNanosPer1000Requests: price('--price-read-requests', values.priceReadRequests, DEFAULT_PRICE_TABLE.readNanosPer1000Requests),
    }),
  };
}
