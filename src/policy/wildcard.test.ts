import test from 'ava';
import { ipInRange, parseIpRange } from './ip-range.ts';
import { matchesWildcard } from './wildcard.ts';

const wildcard = test.macro({
  exec(t, pattern: string, value: string, expected: boolean) {
    t.is(matchesWildcard(pattern, value), expected);
  },
  title: (_, pattern: string, value: string, expected: boolean) => `wildcard ${JSON.stringify(pattern)} ${expected ? 'matches' : 'misses'} ${JSON.stringify(value)}`,
});

test(wildcard, '*', '', true);
test(wildcard, '*', 'anything/at/all', true);
test(wildcard, '', '', true);
test(wildcard, '', 'a', false);
test(wildcard, 'a', '', false);
test(wildcard, 'public/*', 'public/', true);
test(wildcard, 'public/*', 'public/a/b.txt', true);
test(wildcard, 'public/*', 'public', false);
test(wildcard, 'public/*', 'private/public/x', false);
test(wildcard, '?', '', false);
test(wildcard, '?', 'x', true);
test(wildcard, '?', 'xy', false);
test(wildcard, 'a?c', 'abc', true);
test(wildcard, 'a?c', 'ac', false);
test(wildcard, '*.m3u8', 'hls/720p/index.m3u8', true);
test(wildcard, '*.m3u8', 'index.m3u8.bak', false);
test(wildcard, 'a*b*c', 'aXXbYYc', true);
test(wildcard, 'a*b*c', 'aXXcYYb', false);
test(wildcard, 'a*a*a*a*a*b', 'a'.repeat(5000), false);
test(wildcard, '**', 'x', true);
test(wildcard, 'case', 'CASE', false);
test('wildcard ignoring case (action names)', (t) => {
  t.true(matchesWildcard('s3:get*', 's3:GetObject', true));
  t.false(matchesWildcard('s3:Get*', 's3:PutObject', true));
  t.false(matchesWildcard('s3:get*', 's3:GetObject'));
});
test(wildcard, '[a]', 'a', false);

const range = test.macro({
  exec(t, cidr: string, address: string, expected: boolean) {
    const parsed = parseIpRange(cidr);
    t.truthy(parsed, `${cidr} parses`);
    t.is(ipInRange(address, parsed!), expected);
  },
  title: (_, cidr: string, address: string, expected: boolean) => `${address} is ${expected ? '' : 'not '}in ${cidr}`,
});

test(range, '127.0.0.1/32', '127.0.0.1', true);
test(range, '127.0.0.1/32', '127.0.0.2', false);
test(range, '127.0.0.1/32', '::ffff:127.0.0.1', true);
test(range, '127.0.0.1', '127.0.0.1', true);
test(range, '10.0.0.0/8', '10.255.1.2', true);
test(range, '10.0.0.0/8', '11.0.0.1', false);
test(range, '192.168.1.77/24', '192.168.1.1', true);
test(range, '0.0.0.0/0', '203.0.113.9', true);
test(range, '0.0.0.0/0', '::1', false);
test(range, '2001:db8::/32', '2001:db8:ffff::1', true);
test(range, '2001:db8::/32', '2001:db9::1', false);
test(range, '::1/128', '::1', true);
test(range, '::1/128', '127.0.0.1', false);
test(range, '::/0', '2001:db8::1', true);
test(range, '::ffff:0:0/96', '::ffff:10.1.2.3', false);
test(range, '2001:db8:0:0:1::/80', '2001:db8::1:0:0:5', true);
test(range, '64:ff9b::192.0.2.0/120', '64:ff9b::c000:2ff', true);

test('IP ranges that are not one: null', (t) => {
  for (const text of ['', '127.0.0.1/33', '::1/129', '127.0.0/8', '10.0.0.0/', '10.0.0.0/-1', 'localhost', '1.2.3.4/ 8', '::g/8']) {
    t.is(parseIpRange(text), null, text);
  }
});
