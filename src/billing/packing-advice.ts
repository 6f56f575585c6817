import type { SmallObjectPrefix } from '../meta/usage-types.ts';
import { divideRounded, formatDecimal } from './decimal.ts';
import type { PriceTable } from './price-table.ts';
import { BYTES_PER_GB, DECIMAL_SCALE, NANOS_PER_UNIT } from './units.ts';

/**
 * What packing the small objects under one prefix into a single archive would change. Each of
 * the `objects` is billed at the floor today; one archive of their bytes is billed at
 * max(bytes, floor). Savings are per month of keeping them (GB-month per month = GB).
 */
export interface PackingAdvice {
  readonly accountId: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly objects: number;
  /** Actual bytes of those objects. */
  readonly bytes: number;
  /** What they are billed as today: objects × floor. */
  readonly billedBytes: number;
  /** What one archive of them would be billed as. */
  readonly packedBilledBytes: number;
  readonly savedGbMonthPerMonth: string;
  /** Decimal string in the price table's currency. */
  readonly savedPerMonth: string;
}

/** Advice for each group that packing would make cheaper, in the order given (most objects first). */
export function packingAdvice(prefixes: readonly SmallObjectPrefix[], prices: PriceTable): PackingAdvice[] {
  const advice: PackingAdvice[] = [];
  for (const group of prefixes) {
    const billedBytes = group.objects * prices.floorBytes;
    const packedBilledBytes = Math.max(group.bytes, prices.floorBytes);
    const savedBytes = BigInt(billedBytes - packedBilledBytes);
    if (savedBytes <= 0n) continue;
    advice.push({
      accountId: group.accountId,
      bucket: group.bucket,
      prefix: group.prefix,
      objects: group.objects,
      bytes: group.bytes,
      billedBytes,
      packedBilledBytes,
      savedGbMonthPerMonth: formatDecimal(divideRounded(savedBytes * NANOS_PER_UNIT, BYTES_PER_GB), DECIMAL_SCALE),
      savedPerMonth: formatDecimal(divideRounded(savedBytes * prices.storageNanosPerGbMonth, BYTES_PER_GB), DECIMAL_SCALE),
    });
  }
  return advice;
}
