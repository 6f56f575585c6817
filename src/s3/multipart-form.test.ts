import test from 'ava';
import { S3Error } from './errors.ts';
import { formBoundary, parseDisposition, readPostForm } from './multipart-form.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

const BOUNDARY = '----WebKitFormBoundaryx7GqgZPUjX1ZsT2v';

/** A form as a browser encodes it: each field, then the file, then the close delimiter. */
function encodeForm(fields: [string, string][], file: { name?: string; filename: string; type?: string; bytes: Buffer } | null, after = ''): Buffer {
  const pieces: Buffer[] = [];
  for (const [name, value] of fields) {
    pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name ?? 'file'}"; filename="${file.filename}"\r\n`
      + `${file.type ? `Content-Type: ${file.type}\r\n` : ''}\r\n`));
    pieces.push(file.bytes, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`${after}--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

function randomBytesOf(length: number, seed: number): Buffer {
  const random = mulberry32(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

async function* inPieces(body: Buffer, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (const cut of [...cuts, body.length]) {
    if (cut > offset) yield new Uint8Array(body.subarray(offset, cut));
    offset = Math.max(offset, cut);
  }
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces);
}

async function parse(body: Buffer, cuts: readonly number[] = [], limits = {}) {
  const form = await readPostForm(inPieces(body, cuts), BOUNDARY, limits);
  return { fields: Object.fromEntries(form.fields), filename: form.file.filename, type: form.file.contentType, bytes: await readAll(form.file.body) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
  return 'no error';
}

// Bytes that look like the framing: CR, LF, dashes, a boundary prefix, a whole delimiter minus a byte.
const TRICKY = Buffer.concat([
  Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}X\r\n\r\n--\r`), randomBytesOf(300, 7), Buffer.from(`\r\n-`), Buffer.from('\r'),
]);
const FIELDS: [string, string][] = [['key', 'uploads/${filename}'], ['Content-Type', 'image/png'], ['x-amz-meta-note', 'a\r\nb-- €']];
const BODY = encodeForm(FIELDS, { filename: 'ünï.png', type: 'image/png', bytes: TRICKY });
const EXPECTED = {
  fields: { key: 'uploads/${filename}', 'content-type': 'image/png', 'x-amz-meta-note': 'a\r\nb-- €' },
  filename: 'ünï.png', type: 'image/png', bytes: TRICKY,
};

test('a browser form in one piece: fields (names lower-cased), filename, type, file bytes exact', async (t) => {
  t.deepEqual(await parse(BODY), EXPECTED);
});

test('the same form split at every byte boundary', async (t) => {
  for (let cut = 0; cut <= BODY.length; cut++) t.deepEqual(await parse(BODY, [cut]), EXPECTED, `cut at ${cut}`);
});

test('the same form one byte at a time', async (t) => {
  t.deepEqual(await parse(BODY, Array.from({ length: BODY.length }, (_, index) => index)), EXPECTED);
});

test('an empty file, and a file of only CRLFs', async (t) => {
  t.deepEqual((await parse(encodeForm([['key', 'k']], { filename: 'e', bytes: Buffer.alloc(0) }))).bytes, Buffer.alloc(0));
  const crlfs = Buffer.from('\r\n\r\n\r\n');
  t.deepEqual((await parse(encodeForm([['key', 'k']], { filename: 'e', bytes: crlfs }), [1, 2, 3, 50, 51])).bytes, crlfs);
});

test('a preamble, padding after a boundary, an epilogue and parts after the file are ignored', async (t) => {
  const body = Buffer.concat([
    Buffer.from(`preamble text\r\n--${BOUNDARY}  \t\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n`),
    encodeForm([], { filename: 'f.bin', bytes: Buffer.from('data') }, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="submit"\r\n\r\nUpload\r\n`),
    Buffer.from('epilogue'),
  ]);
  const parsed = await parse(body);
  t.deepEqual(parsed.fields, { key: 'k' });
  t.deepEqual(parsed.bytes, Buffer.from('data'));
});

test('the first of a repeated field wins; a file part is found by its name, not its filename', async (t) => {
  const parsed = await parse(encodeForm([['key', 'one'], ['KEY', 'two']], { name: 'File', filename: '', bytes: Buffer.from('x') }));
  t.deepEqual(parsed.fields, { key: 'one' });
  t.is(parsed.filename, '');
});

test('a form without a file is IncorrectNumberOfFilesInPostRequest', async (t) => {
  t.is(await codeOf(parse(encodeForm([['key', 'k']], null))), 'IncorrectNumberOfFilesInPostRequest');
});

test('fields before the file past the limit are MaxPostPreDataLengthExceededError', async (t) => {
  const body = encodeForm([['key', 'k'], ['x-amz-meta-big', 'v'.repeat(2000)]], { filename: 'f', bytes: Buffer.from('x') });
  t.is(await codeOf(parse(body, [], { maxPreDataBytes: 1000 })), 'MaxPostPreDataLengthExceededError');
  t.is(await codeOf(parse(body, [100, 700, 1500], { maxPreDataBytes: 1000 })), 'MaxPostPreDataLengthExceededError');
  t.is((await parse(body, [], { maxPreDataBytes: 3000 })).fields['x-amz-meta-big']!.length, 2000);
});

test('a default limit of 20 KB before the file', async (t) => {
  const body = encodeForm([['key', 'k'], ['policy', 'p'.repeat(21 * 1024)]], { filename: 'f', bytes: Buffer.from('x') });
  t.is(await codeOf(parse(body)), 'MaxPostPreDataLengthExceededError');
});

test('a body cut short, anywhere, is MalformedPOSTRequest (in the file: while reading it)', async (t) => {
  for (const length of [0, 10, BOUNDARY.length + 4, 60, BODY.length - 300, BODY.length - 10, BODY.length - 3]) {
    t.is(await codeOf(parse(BODY.subarray(0, length))), 'MalformedPOSTRequest', `cut to ${length} bytes`);
  }
});

test('broken framing is MalformedPOSTRequest', async (t) => {
  const broken = [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\nno blank line`,
    `--${BOUNDARY}junk\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--${BOUNDARY}--`,
    `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nk\r\n--${BOUNDARY}--`,
    `--${BOUNDARY}\r\nContent-Disposition: attachment; name="key"\r\n\r\nk\r\n--${BOUNDARY}--`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nk\r\n--${BOUNDARY}--`,
    `--${BOUNDARY}\r\nno colon here\r\n\r\nk\r\n--${BOUNDARY}--`,
    'no boundary at all',
  ];
  for (const text of broken) t.is(await codeOf(parse(Buffer.from(text))), 'MalformedPOSTRequest', text);
});

test('too much after the file is MalformedPOSTRequest', async (t) => {
  const body = encodeForm([['key', 'k']], { filename: 'f', bytes: Buffer.from('x') }, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\n${'y'.repeat(500)}\r\n`);
  t.is(await codeOf(parse(body, [], { maxTrailingBytes: 100 })), 'MalformedPOSTRequest');
});

test('the file streams: its first bytes arrive before the body has ended', async (t) => {
  const head = encodeForm([['key', 'k']], { filename: 'f', bytes: Buffer.alloc(0) }).subarray(0, -(`\r\n--${BOUNDARY}--\r\n`.length));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  async function* source(): AsyncGenerator<Uint8Array> {
    yield head;
    yield Buffer.alloc(64 * 1024, 1);
    await gate; // the rest is held back until the reader has seen file bytes
    yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  }
  const form = await readPostForm(source(), BOUNDARY);
  const pieces = form.file.body[Symbol.asyncIterator]();
  const first = await pieces.next();
  t.false(first.done);
  t.true((first.value as Uint8Array).length > 60 * 1024);
  release();
  let total = (first.value as Uint8Array).length;
  for (let next = await pieces.next(); !next.done; next = await pieces.next()) total += next.value.length;
  t.is(total, 64 * 1024);
});

test('formBoundary: multipart/form-data only, quoted or not', (t) => {
  t.is(formBoundary(`multipart/form-data; boundary=${BOUNDARY}`), BOUNDARY);
  t.is(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
  const code = (value: string | undefined) => (t.throws(() => formBoundary(value)) as S3Error).code;
  t.is(code(undefined), 'RequestIsNotMultiPartContent');
  t.is(code('application/x-www-form-urlencoded'), 'RequestIsNotMultiPartContent');
  t.is(code('multipart/form-data'), 'MalformedPOSTRequest');
  t.is(code(`multipart/form-data; boundary=${'b'.repeat(71)}`), 'MalformedPOSTRequest');
});

test('parseDisposition: quoted and token values, escapes, case', (t) => {
  t.deepEqual(parseDisposition('form-data; name="file"; filename="a;b \\"c\\".txt"'), { name: 'file', filename: 'a;b "c".txt' });
  t.deepEqual(parseDisposition('Form-Data; NAME=key'), { name: 'key', filename: undefined });
});
