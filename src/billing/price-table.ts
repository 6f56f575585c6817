import { DECIMAL_SCALE, formatByteSize } from './units.ts';
import { formatDecimal, parseDecimal } from './decimal.ts';

/**
 * What the gateway charges. Prices are in nanos (10^-9 of `currency`) so they stay exact; the
 * floor is the smallest size an object is billed at (`max(size, floor)`), applied at invoice time.
 */
export interface PriceTable {
  readonly currency: string;
  readonly floorBytes: number;
  readonly storageNanosPerGbMonth: bigint;
  readonly egressNanosPerGb: bigint;
  readonly writeNanosPer1000Requests: bigint;
  readonly readNanosPer1000Requests: bigint;
}

const MIB = 1024 * 1024;

/**
 * Storj's storage and egress prices and S3 Standard's request prices, with a 1 MiB floor: the
 * defaults the README lists.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = Object.freeze({
  currency: 'USD',
  floorBytes: MIB,
  storageNanosPerGbMonth: 4_000_000n, // 0.004 per GB-month
  egressNanosPerGb: 7_000_000n, // 0.007 per GB
  writeNanosPer1000Requests: 5_000_000n, // 0.005 per 1,000 PUT, COPY, POST, LIST
  readNanosPer1000Requests: 400_000n, // 0.0004 per 1,000 GET, HEAD and others
});

/** A price as written in configuration ("0.004") → nanos; null when not a non-negative decimal with ≤ 9 fractional digits. */
export function parsePrice(text: string): bigint | null {
  return parseDecimal(text, DECIMAL_SCALE);
}

export function formatPrice(nanos: bigint): string {
  return formatDecimal(nanos, DECIMAL_SCALE);
}

/** "$0.004" for USD, "0.004 EUR" otherwise. */
export function formatMoney(nanos: bigint, currency: string, minFractionDigits = 2): string {
  const amount = formatDecimal(nanos < 0n ? -nanos : nanos, DECIMAL_SCALE, minFractionDigits);
  const sign = nanos < 0n ? '-' : '';
  return currency === 'USD' ? `${sign}$${amount}` : `${sign}${amount} ${currency}`;
}

/** The price table as plain JSON (decimal strings), for the admin API and logs. */
export function priceTableJson(prices: PriceTable): Record<string, string | number> {
  return {
    currency: prices.currency,
    floorBytes: prices.floorBytes,
    floor: formatByteSize(prices.floorBytes),
    storagePerGbMonth: formatPrice(prices.storageNanosPerGbMonth),
    egressPerGb: formatPrice(prices.egressNanosPerGb),
    writeRequestsPer1000: formatPrice(prices.writeNanosPer1000Requests),
    readRequestsPer1000: formatPrice(prices.readNanosPer1000Requests),
  };
}
