/**
 * The units an invoice is written in. GB is decimal (10^9 bytes) and a month is 720 hours, as
 * Storj bills (AWS also prices "per GB-month" and accrues byte-hours); storage is measured in
 * byte-milliseconds, the resolution of the ledger's clock, so no event is ever rounded. Money is
 * counted in nanos: 10^-9 of the currency unit.
 */

export const BYTES_PER_GB = 1_000_000_000n;
export const MS_PER_MONTH = 720n * 3_600_000n;
export const BYTE_MS_PER_GB_MONTH = BYTES_PER_GB * MS_PER_MONTH;
/** Fractional digits of money amounts (nanos) and of billed quantities in invoices. */
export const DECIMAL_SCALE = 9;
export const NANOS_PER_UNIT = 10n ** BigInt(DECIMAL_SCALE);
/** Request prices are per this many requests. */
export const REQUESTS_PER_PRICE = 1000n;

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1048576 → "1 MiB", 131072 → "128 KiB", 1000 → "1000 B": the largest binary unit that divides it. */
export function formatByteSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (unit < BINARY_UNITS.length - 1 && value >= 1024 && value % 1024 === 0) {
    value /= 1024;
    unit += 1;
  }
  return `${value} ${BINARY_UNITS[unit]}`;
}
