import test from 'ava';
import { divideRounded, formatDecimal, parseDecimal } from './decimal.ts';

const parses = test.macro((t, text: string, scale: number, expected: bigint | null) => {
  t.is(parseDecimal(text, scale), expected);
});
test('parse 0.004 at 9', parses, '0.004', 9, 4_000_000n);
test('parse 12 at 9', parses, '12', 9, 12_000_000_000n);
test('parse 0.000000001 at 9', parses, '0.000000001', 9, 1n);
test('parse trailing zeros past the scale', parses, '1.5000000000000', 9, 1_500_000_000n);
test('parse a digit past the scale is refused', parses, '0.0000000001', 9, null);
test('parse negative is refused', parses, '-1', 9, null);
test('parse exponent is refused', parses, '1e-3', 9, null);
test('parse empty is refused', parses, '', 9, null);
test('parse a bare dot is refused', parses, '1.', 9, null);
test('parse surrounding spaces are allowed', parses, ' 0.5 ', 2, 50n);

const formats = test.macro((t, value: bigint, scale: number, minFractionDigits: number, expected: string) => {
  t.is(formatDecimal(value, scale, minFractionDigits), expected);
});
test('format 4e6 at 9', formats, 4_000_000n, 9, 0, '0.004');
test('format 0', formats, 0n, 9, 0, '0');
test('format 0 with 2 digits', formats, 0n, 9, 2, '0.00');
test('format whole', formats, 5_000_000_000n, 9, 2, '5.00');
test('format 1 nano', formats, 1n, 9, 2, '0.000000001');
test('format negative', formats, -1_500_000_000n, 9, 0, '-1.5');
test('format large', formats, 123_456_789_012_345_678_901n, 9, 0, '123456789012.345678901');

const divides = test.macro((t, numerator: bigint, denominator: bigint, expected: bigint) => {
  t.is(divideRounded(numerator, denominator), expected);
});
test('divide exact', divides, 10n, 5n, 2n);
test('divide rounds down below half', divides, 14n, 10n, 1n);
test('divide rounds half up', divides, 15n, 10n, 2n);
test('divide rounds negative half away from zero', divides, -15n, 10n, -2n);
test('divide zero', divides, 0n, 7n, 0n);

test('divide by zero or a negative is a RangeError', (t) => {
  t.throws(() => divideRounded(1n, 0n), { instanceOf: RangeError });
  t.throws(() => divideRounded(1n, -1n), { instanceOf: RangeError });
});

test('parse then format round-trips every price-like value', (t) => {
  for (const text of ['0', '0.004', '0.0004', '0.007', '1', '12.5', '0.000000001', '999999.999999999']) {
    t.is(formatDecimal(parseDecimal(text, 9)!, 9), text);
  }
});
