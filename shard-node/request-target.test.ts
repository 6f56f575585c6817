import test from 'ava';
import { hasUnsafeSegment } from './request-target.ts';

const unsafe = test.macro({
  exec: (t, target: string, expected: boolean) => t.is(hasUnsafeSegment(target), expected),
  title: (_title, target, expected) => `${target} is ${expected ? 'unsafe' : 'fine'}`,
});
test(unsafe, '/shards/0123456789abcdef0123456789abcdef.1', false);
test(unsafe, '/shards/0123456789abcdef0123456789abcdef.1/commit', false);
test(unsafe, '/shards?after=../x&limit=5', false);
test(unsafe, '/health', false);
test(unsafe, '/shards/../etc', true);
test(unsafe, '/shards/./x', true);
test(unsafe, '/shards/%2e%2E/x', true);
test(unsafe, '/shards/.%2e', true);
test(unsafe, '/shards/%2e', true);
test(unsafe, '/shards/..%2fetc', true);
test(unsafe, '/shards/..%5cetc', true);
test(unsafe, '/shards/a%00', true);
test(unsafe, '/shards/%zz', true);
test(unsafe, '/shards/..?x=1', true);
