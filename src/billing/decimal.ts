/**
 * Exact decimal arithmetic on scaled integers: a value with `scale` fractional digits is the
 * bigint `value · 10^scale`. Money and billed quantities never go through floating point, so an
 * invoice adds up to the last digit it shows.
 */

const DECIMAL = /^(\d{1,30})(?:\.(\d{1,30}))?$/;

/** `"0.004"` at scale 9 → 4_000_000n; null when malformed, negative or finer than `scale` digits. */
export function parseDecimal(text: string, scale: number): bigint | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.replace(/0+$/, '').length > scale) return null;
  return BigInt(match[1]!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0').slice(0, scale) || '0');
}

/**
 * The scaled integer as a decimal string, trailing fractional zeros removed down to
 * `minFractionDigits`: formatDecimal(4_000_000n, 9) → "0.004", formatDecimal(5n * 10n ** 9n, 9, 2) → "5.00".
 */
export function formatDecimal(value: bigint, scale: number, minFractionDigits = 0): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale);
  while (fraction.length > minFractionDigits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** numerator / denominator rounded to the nearest integer, halves away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}
