import test from 'ava';
import { DEFAULT_PRICE_TABLE } from '../../src/billing/price-table.ts';
import { ConfigError } from '../../src/config/flags.ts';
import { loadGatewayConfig } from '../config.ts';

test('billing defaults: on, the default price table with a 1 MiB floor', (t) => {
  const { config } = loadGatewayConfig([], {});
  t.true(config.billing);
  t.deepEqual(config.prices, DEFAULT_PRICE_TABLE);
  t.true(Object.isFrozen(config.prices));
});

test('every price, the floor and the currency come from flags or the environment; the flag wins', (t) => {
  const { config } = loadGatewayConfig(
    ['--billing', 'false', '--price-storage', '0.02', '--billing-floor', '128KiB', '--currency', 'EUR'],
    {
      SHARDGATE_PRICE_STORAGE: '9', SHARDGATE_PRICE_EGRESS: '0.01', SHARDGATE_PRICE_WRITE_REQUESTS: '0.000000001',
      SHARDGATE_PRICE_READ_REQUESTS: '0',
    },
  );
  t.false(config.billing);
  t.deepEqual(config.prices, {
    currency: 'EUR', floorBytes: 128 * 1024, storageNanosPerGbMonth: 20_000_000n, egressNanosPerGb: 10_000_000n,
    writeNanosPer1000Requests: 1n, readNanosPer1000Requests: 0n,
  });
});

const refuses = test.macro((t, argv: string[], message: string) => {
  const error = t.throws(() => loadGatewayConfig(argv, {}), { instanceOf: ConfigError });
  t.is(error?.message, message);
});
test('a negative price is refused', refuses, ['--price-egress', '-1'], '--price-egress must be a non-negative decimal with at most 9 fractional digits, got "-1"');
test('a price finer than a nano is refused', refuses, ['--price-storage', '0.0000000001'], '--price-storage must be a non-negative decimal with at most 9 fractional digits, got "0.0000000001"');
test('a price with a currency sign is refused', refuses, ['--price-read-requests', '$0.4'], '--price-read-requests must be a non-negative decimal with at most 9 fractional digits, got "$0.4"');
test('a currency that is not an ISO code is refused', refuses, ['--currency', 'dollars'], '--currency must be a three-letter ISO 4217 code such as USD, got "dollars"');
test('a floor that is not a size is refused', refuses, ['--billing-floor', 'big'], '--billing-floor must be a size like 65536, 64KiB or 10GiB, got "big"');
test('billing must be a boolean', refuses, ['--billing=maybe'], '--billing must be true or false, got "maybe"');
