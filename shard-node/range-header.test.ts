import test from 'ava';
import type { Span } from '../src/span.ts';
import { formatContentRange, parseNodeRange } from './range-header.ts';

const parses = test.macro({
  exec: (t, header: string | undefined, size: number, expected: Span | null) => t.deepEqual(parseNodeRange(header, size), expected),
  title: (_title, header, size) => `${header} of ${size} bytes`,
});
test(parses, undefined, 100, null);
test(parses, 'bytes=0-0', 100, { offset: 0, length: 1 });
test(parses, 'bytes=0-99', 100, { offset: 0, length: 100 });
test(parses, 'bytes=10-19', 100, { offset: 10, length: 10 });
test(parses, 'bytes=90-1000', 100, { offset: 90, length: 10 });
test(parses, 'bytes=99-', 100, { offset: 99, length: 1 });
test(parses, 'bytes=-1', 100, { offset: 99, length: 1 });
test(parses, 'bytes=-500', 100, { offset: 0, length: 100 });
test(parses, ' bytes=1-2 ', 100, { offset: 1, length: 2 });

const refuses = test.macro({
  exec(t, header: string, size: number, code: string) {
    t.throws(() => parseNodeRange(header, size), { code } as never);
  },
  title: (_title, header, size, code) => `${header} of ${size} bytes → ${code}`,
});
test(refuses, 'bytes=100-100', 100, 'RANGE_NOT_SATISFIABLE');
test(refuses, 'bytes=100-', 100, 'RANGE_NOT_SATISFIABLE');
test(refuses, 'bytes=-0', 100, 'RANGE_NOT_SATISFIABLE');
test(refuses, 'bytes=0-0', 0, 'RANGE_NOT_SATISFIABLE');
test(refuses, 'bytes=-5', 0, 'RANGE_NOT_SATISFIABLE');
test(refuses, 'bytes=5-4', 100, 'INVALID_REQUEST');
test(refuses, 'bytes=0-1,3-4', 100, 'INVALID_REQUEST');
test(refuses, 'items=0-1', 100, 'INVALID_REQUEST');
test(refuses, 'bytes=a-b', 100, 'INVALID_REQUEST');
test(refuses, 'bytes=-', 100, 'INVALID_REQUEST');
test(refuses, 'bytes=12345678901234567-', 100, 'INVALID_REQUEST');

test('Content-Range is inclusive', (t) => {
  t.is(formatContentRange({ offset: 0, length: 1 }, 10), 'bytes 0-0/10');
  t.is(formatContentRange({ offset: 3, length: 7 }, 10), 'bytes 3-9/10');
});
