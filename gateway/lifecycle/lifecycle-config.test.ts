import test from 'ava';
import { loadGatewayConfig } from '../config.ts';

test('lifecycle settings: defaults, flags, environment, 0 turns the worker off, one-line errors', (t) => {
  t.like(loadGatewayConfig([], {}).config, { lifecycleIntervalMs: 600_000, lifecycleDayMs: 86_400_000 });
  t.like(loadGatewayConfig(['--lifecycle-day-seconds', '2', '--lifecycle-interval', '250ms'], {}).config, { lifecycleIntervalMs: 250, lifecycleDayMs: 2_000 });
  t.like(loadGatewayConfig([], { SHARDGATE_LIFECYCLE_DAY_SECONDS: '60', SHARDGATE_LIFECYCLE_INTERVAL: '0' }).config, { lifecycleIntervalMs: 0, lifecycleDayMs: 60_000 });
  t.throws(() => loadGatewayConfig(['--lifecycle-day-seconds', '0'], {}), { message: /^--lifecycle-day-seconds/ });
  t.throws(() => loadGatewayConfig(['--lifecycle-day-seconds', '1.5'], {}), { message: /^--lifecycle-day-seconds/ });
  t.throws(() => loadGatewayConfig(['--lifecycle-interval', 'often'], {}), { message: /^--lifecycle-interval must be a duration/ });
});
