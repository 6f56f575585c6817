import test from 'ava';
import { parseTime, parseUsageWindow, UsageParameterError } from './usage-window.ts';

const NOW = new Date('2025-03-15T10:30:00.000Z');

const times = test.macro((t, text: string, expected: string | null) => {
  t.is(parseTime(text)?.toISOString() ?? null, expected);
});
test('date only is midnight UTC', times, '2025-01-31', '2025-01-31T00:00:00.000Z');
test('minutes with Z', times, '2025-01-31T12:05Z', '2025-01-31T12:05:00.000Z');
test('seconds and millis', times, '2025-01-31T12:05:06.7Z', '2025-01-31T12:05:06.700Z');
test('positive offset', times, '2025-01-31T12:00:00+02:00', '2025-01-31T10:00:00.000Z');
test('negative offset crosses midnight', times, '2025-01-31T22:30:00-03:30', '2025-02-01T02:00:00.000Z');
test('leap day', times, '2024-02-29', '2024-02-29T00:00:00.000Z');
test('Feb 30 is refused (Date.parse would roll it over)', times, '2025-02-30', null);
test('Feb 29 outside a leap year is refused', times, '2025-02-29', null);
test('hour 24 is refused', times, '2025-01-01T24:00:00Z', null);
test('a time without a zone is refused', times, '2025-01-01T12:00:00', null);
test('an offset past 23:59 is refused', times, '2025-01-01T12:00:00+24:00', null);
test('epoch milliseconds are refused', times, '1735689600000', null);
test('free text is refused', times, 'yesterday', null);
test('empty is refused', times, '', null);

test('defaults: from the start of the UTC month to now', (t) => {
  const window = parseUsageWindow({}, NOW);
  t.is(window.from.toISOString(), '2025-03-01T00:00:00.000Z');
  t.is(window.to.toISOString(), NOW.toISOString());
});

test('a to in the future is cut at now; a past window is kept as given', (t) => {
  t.is(parseUsageWindow({ from: '2025-03-01', to: '2025-04-01' }, NOW).to.toISOString(), NOW.toISOString());
  const window = parseUsageWindow({ from: '2025-01-01', to: '2025-02-01T00:00:00Z' }, NOW);
  t.deepEqual([window.from.toISOString(), window.to.toISOString()], ['2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);
});

const refuses = test.macro((t, params: { from?: string; to?: string }, parameter: string, message: RegExp) => {
  const error = t.throws(() => parseUsageWindow(params, NOW), { instanceOf: UsageParameterError });
  t.is(error?.parameter, parameter);
  t.is(error?.code, 'INVALID_USAGE_PARAMETER');
  t.regex(error?.message ?? '', message);
});
test('malformed from names from', refuses, { from: '2025-13-01' }, 'from', /^from must be an ISO 8601 time/);
test('malformed to names to', refuses, { from: '2025-01-01', to: 'soon' }, 'to', /^to must be an ISO 8601 time.*"soon"/);
test('a reversed window names to', refuses, { from: '2025-02-01', to: '2025-01-01' }, 'to', /must be after from/);
test('an empty window names to', refuses, { from: '2025-02-01', to: '2025-02-01' }, 'to', /must be after from/);
test('a from in the future names from', refuses, { from: '2025-04-01', to: '2025-05-01' }, 'from', /not in the past/);
