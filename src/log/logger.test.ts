import test from 'ava';
import { ConfigError } from '../config/flags.ts';
import { loadLogSettings } from './log-settings.ts';
import { createLogger } from './logger.ts';

const at = () => new Date('2026-12-03T10:03:12.345Z');

test('json lines carry time, level, component, event and fields', (t) => {
  const lines: string[] = [];
  createLogger('gateway', { format: 'json', level: 'info', write: (line) => lines.push(line), now: at }).info('request', { status: 200, key: 'a b' });
  t.deepEqual(JSON.parse(lines[0]!), { time: '2026-12-03T10:03:12.345Z', level: 'info', component: 'gateway', event: 'request', status: 200, key: 'a b' });
  t.true(lines[0]!.endsWith('\n'));
});

test('pretty lines are one readable line: clock, level, component, event, name=value', (t) => {
  const lines: string[] = [];
  const logger = createLogger('shard-node', { format: 'pretty', level: 'info', write: (line) => lines.push(line), now: at });
  logger.warn('heartbeat failed', { status: 503, reason: 'ECONNREFUSED', note: 'has spaces', skipped: undefined, detail: { a: 1 } });
  t.is(lines[0], '10:03:12.345 WARN  shard-node heartbeat failed status=503 reason=ECONNREFUSED note="has spaces" detail={"a":1}\n');
});

test('a level drops what is below it', (t) => {
  const lines: string[] = [];
  const logger = createLogger('gateway', { format: 'json', level: 'warn', write: (line) => lines.push(line), now: at });
  logger.info('quiet');
  logger.warn('kept');
  logger.error('kept too');
  t.deepEqual(lines.map((line) => JSON.parse(line).event), ['kept', 'kept too']);
});

test('settings: defaults, the given default format, and one-line errors for bad values', (t) => {
  t.deepEqual(loadLogSettings({}), { format: 'json', level: 'info' });
  t.deepEqual(loadLogSettings({}, 'pretty'), { format: 'pretty', level: 'info' });
  t.deepEqual(loadLogSettings({ logFormat: 'json', logLevel: 'error' }, 'pretty'), { format: 'json', level: 'error' });
  t.throws(() => loadLogSettings({ logFormat: 'xml' }), { instanceOf: ConfigError, message: '--log-format must be json or pretty, got "xml"' });
  t.throws(() => loadLogSettings({ logLevel: 'debug' }), { instanceOf: ConfigError, message: '--log-level must be info, warn or error, got "debug"' });
});
