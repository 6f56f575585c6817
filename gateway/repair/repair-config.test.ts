import test from 'ava';
import { loadGatewayConfig } from '../config.ts';
import { parseDuration } from './repair-config.ts';

test('durations: units, bare seconds, and one-line errors below the minimum or malformed', (t) => {
  t.is(parseDuration('--x', '500ms', 100), 500);
  t.is(parseDuration('--x', '90s', 100), 90_000);
  t.is(parseDuration('--x', '1.5m', 100), 90_000);
  t.is(parseDuration('--x', '2h', 100), 7_200_000);
  t.is(parseDuration('--x', '3', 100), 3_000);
  for (const bad of ['', 'soon', '-1s', '1w', '50ms']) {
    const error = t.throws(() => parseDuration('--node-lost-after', bad, 100));
    t.is((error as { code?: string }).code, 'CONFIG_ERROR');
    t.regex(error!.message, /^--node-lost-after must be a duration/);
  }
});

test('repair settings: defaults, flags, environment, 0 turns audits and reconciliation off', (t) => {
  const defaults = loadGatewayConfig([], {}).config;
  t.like(defaults, {
    nodeLostAfterMs: 3_600_000, repairConcurrency: 2, repairRateBytes: 32 * 1024 * 1024, repairCheckIntervalMs: 60_000,
    repairLeaseMs: 60_000, auditIntervalMs: 60_000, auditDisqualifyBelow: 0.6, reconcileIntervalMs: 3_600_000,
  });
  const set = loadGatewayConfig(['--node-lost-after', '5s', '--repair-concurrency', '4', '--audit-interval', '0', '--reconcile-interval', '0'], {
    SHARDGATE_REPAIR_RATE: '1MiB', SHARDGATE_AUDIT_DISQUALIFY_BELOW: '0.5',
  }).config;
  t.like(set, { nodeLostAfterMs: 5_000, repairConcurrency: 4, repairRateBytes: 1024 * 1024, auditIntervalMs: 0, reconcileIntervalMs: 0, auditDisqualifyBelow: 0.5 });
  t.throws(() => loadGatewayConfig(['--audit-disqualify-below', '1.5'], {}), { message: /^--audit-disqualify-below must be a number between 0 and 1/ });
  t.throws(() => loadGatewayConfig(['--repair-concurrency', '-1'], {}), { message: /--repair-concurrency/ });
});
