import test from 'ava';
import type { Span } from '../span.ts';
import { S3Error } from './errors.ts';
import { formatContentRange, parseRangeHeader, unsatisfiedContentRange } from './range.ts';

type Expected = Span | null | 'InvalidRange';

const parses = test.macro({
  exec(t, header: string | undefined, size: number, expected: Expected) {
    if (expected === 'InvalidRange') {
      const error = t.throws(() => parseRangeHeader(header, size), { instanceOf: S3Error });
      t.is(error?.code, 'InvalidRange');
      t.is(error?.status, 416);
      t.deepEqual(error?.headers, { 'Content-Range': `bytes */${size}` });
      t.deepEqual(error?.extra, { RangeRequested: header ?? '', ActualObjectSize: String(size) });
    } else {
      t.deepEqual(parseRangeHeader(header, size), expected);
    }
  },
  title: (_provided, header: string | undefined, size: number, expected: Expected) =>
    `${JSON.stringify(header) ?? 'no header'} on size ${size} → ${
      expected === null || expected === 'InvalidRange' ? String(expected) : `{${expected.offset}, ${expected.length}}`
    }`,
});

// Satisfiable single ranges.
test(parses, 'bytes=0-0', 10, { offset: 0, length: 1 });
test(parses, 'bytes=0-9', 10, { offset: 0, length: 10 });
test(parses, 'bytes=3-5', 10, { offset: 3, length: 3 });
test(parses, 'bytes=9-9', 10, { offset: 9, length: 1 });
test(parses, 'bytes=4-', 10, { offset: 4, length: 6 });
test(parses, 'bytes=0-', 10, { offset: 0, length: 10 });
test(parses, 'bytes=0-0', 1, { offset: 0, length: 1 });
test(parses, 'bytes=-1', 10, { offset: 9, length: 1 });
test(parses, 'bytes=-3', 10, { offset: 7, length: 3 });
test(parses, 'bytes=-10', 10, { offset: 0, length: 10 });
// End beyond the object is clamped; a suffix longer than the object is the whole object.
test(parses, 'bytes=5-100', 10, { offset: 5, length: 5 });
test(parses, 'bytes=0-99999999999999999999999', 10, { offset: 0, length: 10 });
test(parses, 'bytes=-11', 10, { offset: 0, length: 10 });
test(parses, 'bytes=-99999999999999999999999', 10, { offset: 0, length: 10 });
// Lenient spellings that are still one valid range.
test(parses, 'BYTES=1-2', 10, { offset: 1, length: 2 });
test(parses, '  bytes=1-2  ', 10, { offset: 1, length: 2 });
test(parses, 'bytes=007-008', 10, { offset: 7, length: 2 });
// Large offsets (a 20 GB archive).
test(parses, 'bytes=21474836480-21474836489', 21474836490, { offset: 21474836480, length: 10 });

// Unsatisfiable → 416 InvalidRange with Content-Range: bytes */size.
test(parses, 'bytes=5-', 5, 'InvalidRange');
test(parses, 'bytes=5-9', 5, 'InvalidRange');
test(parses, 'bytes=40-50', 11, 'InvalidRange');
test(parses, 'bytes=99999999999999999999999-', 10, 'InvalidRange');
test(parses, 'bytes=-0', 10, 'InvalidRange');
// Empty object: every first-… range is 416 (AWS), and so is -0 …
test(parses, 'bytes=0-', 0, 'InvalidRange');
test(parses, 'bytes=0-0', 0, 'InvalidRange');
test(parses, 'bytes=40-50', 0, 'InvalidRange');
test(parses, 'bytes=-0', 0, 'InvalidRange');
// … but a non-zero suffix is the whole (empty) object with 200 — see the note in range.ts.
test(parses, 'bytes=-1', 0, null);
test(parses, 'bytes=-100', 0, null);

// Ignored (null = whole object, 200): absent, malformed, other units, multiple ranges.
test(parses, undefined, 10, null);
test(parses, '', 10, null);
test(parses, 'bytes=', 10, null);
test(parses, 'bytes=-', 10, null);
test(parses, 'bytes=5-2', 10, null);
test(parses, 'bytes=5-2', 0, null);
test(parses, 'bytes=a-b', 10, null);
test(parses, 'bytes=1.5-2', 10, null);
test(parses, 'bytes=+1-2', 10, null);
test(parses, 'bytes=1-2-3', 10, null);
test(parses, 'bytes=--1', 10, null);
test(parses, 'bytes = 1-2', 10, null);
test(parses, 'bytes=1 -2', 10, null);
test(parses, 'bytes 1-2', 10, null);
test(parses, 'items=0-1', 10, null);
test(parses, '0-1', 10, null);
test(parses, 'bytes=0-1,5-6', 10, null);
test(parses, 'bytes=0-1, 5-6', 10, null);
test(parses, 'bytes=0-1,', 10, null);
test(parses, 'bytes=50-60,70-80', 10, null); // ignored, even though unsatisfiable

test('a bad size is a programming error', (t) => {
  for (const size of [-1, 1.5, Number.NaN]) {
    t.throws(() => parseRangeHeader('bytes=0-1', size), { instanceOf: RangeError });
  }
});

test('formatContentRange writes the inclusive form', (t) => {
  t.is(formatContentRange({ offset: 0, length: 1 }, 10), 'bytes 0-0/10');
  t.is(formatContentRange({ offset: 7, length: 3 }, 10), 'bytes 7-9/10');
  t.is(formatContentRange({ offset: 0, length: 10 }, 10), 'bytes 0-9/10');
  t.is(formatContentRange({ offset: 21474836480, length: 10 }, 21474836490), 'bytes 21474836480-21474836489/21474836490');
});

test('formatContentRange refuses empty or out-of-object spans', (t) => {
  for (const [span, size] of [
    [{ offset: 0, length: 0 }, 10],
    [{ offset: 0, length: 0 }, 0],
    [{ offset: 8, length: 3 }, 10],
    [{ offset: -1, length: 2 }, 10],
  ] as const) {
    t.throws(() => formatContentRange(span, size), { instanceOf: RangeError });
  }
});

test('unsatisfiedContentRange', (t) => {
  t.is(unsatisfiedContentRange(0), 'bytes */0');
  t.is(unsatisfiedContentRange(11), 'bytes */11');
});

test('parse then format round-trips every satisfiable range of a small object', (t) => {
  const size = 7;
  for (let first = 0; first < size; first++) {
    for (let last = first; last < size + 2; last++) {
      const span = parseRangeHeader(`bytes=${first}-${last}`, size);
      if (span === null) return t.fail(`bytes=${first}-${last} ignored`);
      t.is(formatContentRange(span, size), `bytes ${first}-${Math.min(last, size - 1)}/${size}`);
    }
  }
  t.pass();
});
