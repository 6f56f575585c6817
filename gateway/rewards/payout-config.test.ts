import test from 'ava';
import { ConfigError } from '../../src/config/flags.ts';
import { DEFAULT_PAYOUT_PRICES } from '../../src/rewards/payout-prices.ts';
import { GATEWAY_HELP, loadGatewayConfig } from '../config.ts';

test('payout defaults: Storj\'s node payouts per GB, 0.95 uptime and audit thresholds', (t) => {
  const { config } = loadGatewayConfig([], {});
  t.deepEqual(config.payoutPrices, DEFAULT_PAYOUT_PRICES);
  t.true(Object.isFrozen(config.payoutPrices));
  for (const flag of ['--payout-storage', '--payout-egress', '--payout-repair-egress', '--payout-min-uptime', '--payout-min-audit-pass']) {
    t.true(GATEWAY_HELP.includes(flag), flag);
  }
});

test('payout prices and thresholds come from flags or the environment, the flag winning, in the billing currency', (t) => {
  const { config } = loadGatewayConfig(['--payout-storage', '0.5', '--payout-min-uptime', '1', '--currency', 'EUR'], {
    SHARDGATE_PAYOUT_STORAGE: '9', SHARDGATE_PAYOUT_EGRESS: '0.000000001', SHARDGATE_PAYOUT_REPAIR_EGRESS: '0',
    SHARDGATE_PAYOUT_MIN_AUDIT_PASS: '0.9',
  });
  t.deepEqual(config.payoutPrices, {
    currency: 'EUR', storageNanosPerGbMonth: 500_000_000n, egressNanosPerGb: 1n, repairEgressNanosPerGb: 0n,
    minUptimeBillionths: 1_000_000_000n, minAuditPassBillionths: 900_000_000n,
  });
});

const refuses = test.macro((t, argv: string[], message: string) => {
  const error = t.throws(() => loadGatewayConfig(argv, {}), { instanceOf: ConfigError });
  t.is(error?.message, message);
});

test('a negative payout is refused', refuses, ['--payout-egress', '-1'], '--payout-egress must be a non-negative decimal with at most 9 fractional digits, got "-1"');
test('a threshold above 1 is refused', refuses, ['--payout-min-uptime', '1.5'], '--payout-min-uptime must be a decimal from 0 to 1 with at most 9 fractional digits, got "1.5"');
test('a threshold finer than 9 digits is refused', refuses, ['--payout-min-audit-pass', '0.9999999999'], '--payout-min-audit-pass must be a decimal from 0 to 1 with at most 9 fractional digits, got "0.9999999999"');
