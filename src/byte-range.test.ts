import test from 'ava';
import { formatContentRange, formatRangeRequest, parseByteRange, unsatisfiedContentRange, type ByteRangeSpec } from './byte-range.ts';

const parses = test.macro({
  exec: (t, header: string | undefined, expected: ByteRangeSpec | null) => t.deepEqual(parseByteRange(header), expected),
  title: (_title, header) => `parse ${JSON.stringify(header)}`,
});
test(parses, undefined, null);
test(parses, 'bytes=0-0', { kind: 'from', first: 0, last: 0 });
test(parses, 'bytes=5-', { kind: 'from', first: 5, last: null });
test(parses, 'BYTES=1-2', { kind: 'from', first: 1, last: 2 });
test(parses, ' bytes=7-3 ', { kind: 'from', first: 7, last: 3 });
test(parses, 'bytes=-10', { kind: 'suffix', length: 10 });
test(parses, 'bytes=-0', { kind: 'suffix', length: 0 });
test(parses, 'bytes=0-1,3-4', null);
test(parses, 'items=0-1', null);
test(parses, 'bytes=-', null);
test(parses, 'bytes=a-b', null);
test(parses, 'bytes=1 - 2', null);

test('formatRangeRequest is inclusive and refuses empty or negative spans', (t) => {
  t.is(formatRangeRequest({ offset: 0, length: 1 }), 'bytes=0-0');
  t.is(formatRangeRequest({ offset: 65536, length: 131072 }), 'bytes=65536-196607');
  t.throws(() => formatRangeRequest({ offset: 0, length: 0 }), { instanceOf: RangeError });
  t.throws(() => formatRangeRequest({ offset: -1, length: 2 }), { instanceOf: RangeError });
});

test('every span of a small size round-trips through the request form and Content-Range', (t) => {
  for (let size = 1; size <= 20; size++) {
    for (let offset = 0; offset < size; offset++) {
      for (let length = 1; offset + length <= size; length++) {
        const spec = parseByteRange(formatRangeRequest({ offset, length }));
        t.deepEqual(spec, { kind: 'from', first: offset, last: offset + length - 1 });
        t.is(formatContentRange({ offset, length }, size), `bytes ${offset}-${offset + length - 1}/${size}`);
      }
    }
  }
  t.is(unsatisfiedContentRange(0), 'bytes */0');
  t.throws(() => formatContentRange({ offset: 5, length: 1 }, 5), { instanceOf: RangeError });
});
