import test from 'ava';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsChunkedDecoder, type AwsChunkedOptions } from './aws-chunked.ts';
import { S3Error } from './errors.ts';
import { SigV4Verifier, type ChunkSigningContext } from './sigv4.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

// ---------------------------------------------------------------------------------------------
// An independent encoder, written from the AWS streaming spec with node:crypto only.

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function signingContext(secret: string, amzDate: string, region: string, seedSignature: string): ChunkSigningContext {
  const date = amzDate.slice(0, 8);
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  return { signingKey, amzDate, scope: `${date}/${region}/s3/aws4_request`, seedSignature };
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] body: chunks, the 0-chunk, optional signed trailers. */
function encodeSigned(context: ChunkSigningContext, chunks: Buffer[], trailers?: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  let previous = context.seedSignature;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${context.amzDate}\n${context.scope}\n${previous}\n${EMPTY_SHA256}\n${sha256(chunk)}`;
    previous = hmac(context.signingKey, toSign).toString('hex');
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length > 0 || trailers === undefined) parts.push(Buffer.from('\r\n'));
  }
  if (trailers !== undefined) {
    const canonical = trailers.map(([name, value]) => `${name}:${value}\n`).join('');
    const toSign = `AWS4-HMAC-SHA256-TRAILER\n${context.amzDate}\n${context.scope}\n${previous}\n${sha256(canonical)}`;
    const lines = trailers.map(([name, value]) => `${name}:${value}\r\n`).join('');
    parts.push(Buffer.from(`${lines}x-amz-trailer-signature:${hmac(context.signingKey, toSign).toString('hex')}\r\n\r\n`));
  }
  return Buffer.concat(parts);
}

function seededBytes(seed: number, length: number): Buffer {
  const random = mulberry32(seed);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Decodes `body` fed in the given pieces; returns payload and trailers or the S3Error. */
function decodePieces(options: AwsChunkedOptions, pieces: Buffer[]): { payload: Buffer; trailers: Map<string, string> } | S3Error {
  const decoder = new AwsChunkedDecoder(options);
  const payload: Buffer[] = [];
  try {
    for (const piece of pieces) payload.push(...decoder.push(piece));
    decoder.end();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  return { payload: Buffer.concat(payload), trailers: new Map(decoder.trailers) };
}

function splitEvery(body: Buffer, pieceLength: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += pieceLength) pieces.push(body.subarray(offset, offset + pieceLength));
  return pieces;
}

function errorCode(result: ReturnType<typeof decodePieces>): string {
  return result instanceof S3Error ? result.code : 'ok';
}

// ---------------------------------------------------------------------------------------------
// AWS's documented examples (sigv4-streaming, sigv4-streaming-trailers): 65 KiB of 'a' in 64 KiB
// chunks, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 20130524T000000Z, us-east-1.

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const awsPayload = Buffer.alloc(66560, 'a');
const awsSigned = signingContext(AWS_SECRET, '20130524T000000Z', 'us-east-1', '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
const awsSignedBody = Buffer.concat([
  Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
  awsPayload.subarray(0, 65536),
  Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
  awsPayload.subarray(65536),
  Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
]);
const awsTrailerSigned = signingContext(AWS_SECRET, '20130524T000000Z', 'us-east-1', '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
const awsTrailerData = Buffer.concat([
  Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'),
  awsPayload.subarray(0, 65536),
  Buffer.from('\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'),
  awsPayload.subarray(65536),
  Buffer.from('\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n'),
]);
const awsTrailerLines = 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n';
const awsTrailerBody = Buffer.concat([awsTrailerData, Buffer.from(`${awsTrailerLines}\r\n`)]);
const awsSignedOptions: AwsChunkedOptions = { payloadMode: 'streaming-signed', signing: awsSigned, decodedContentLength: 66560 };
const awsTrailerOptions: AwsChunkedOptions = {
  payloadMode: 'streaming-signed-trailer',
  signing: awsTrailerSigned,
  decodedContentLength: 66560,
  declaredTrailers: 'x-amz-checksum-crc32c',
};

test('AWS example: signed chunks decode in any piece size, and the encoder here reproduces them', (t) => {
  t.deepEqual(encodeSigned(awsSigned, [awsPayload.subarray(0, 65536), awsPayload.subarray(65536)]), awsSignedBody);
  for (const pieceLength of [1, 2, 7, 100, 4096, 65536, 65627, awsSignedBody.length]) {
    const result = decodePieces(awsSignedOptions, splitEvery(awsSignedBody, pieceLength));
    if (result instanceof S3Error) return t.fail(`${pieceLength}: ${result.code} ${result.message}`);
    t.true(result.payload.equals(awsPayload), `piece length ${pieceLength}`);
  }
});

test('AWS example: a flipped payload byte, a changed signature or a dropped chunk → SignatureDoesNotMatch', (t) => {
  for (const position of [88, 30_000, 65_625, 65_800, 66_700]) {
    const tampered = Buffer.from(awsSignedBody);
    tampered[position]! ^= 1;
    t.is(errorCode(decodePieces(awsSignedOptions, [tampered])), position === 65_625 ? 'IncompleteBody' : 'SignatureDoesNotMatch', `byte ${position}`);
  }
  const withoutMiddle = Buffer.concat([awsSignedBody.subarray(0, 65626), awsSignedBody.subarray(65626 + 1112)]);
  t.is(errorCode(decodePieces({ ...awsSignedOptions, decodedContentLength: undefined }, [withoutMiddle])), 'SignatureDoesNotMatch');
});

test('AWS example: signed trailer verifies and is exposed; accepted layout variants', (t) => {
  const variants = [
    awsTrailerBody,
    Buffer.concat([awsTrailerData, Buffer.from(`\r\n${awsTrailerLines}\r\n`)]), // empty line before the trailers
    Buffer.concat([awsTrailerData, Buffer.from(awsTrailerLines)]), // no final empty line
  ];
  for (const body of variants) {
    for (const pieceLength of [1, 13, 65536, body.length]) {
      const result = decodePieces(awsTrailerOptions, splitEvery(body, pieceLength));
      if (result instanceof S3Error) return t.fail(`${result.code} ${result.message}`);
      t.true(result.payload.equals(awsPayload));
      t.deepEqual([...result.trailers], [['x-amz-checksum-crc32c', 'sOO8/Q==']]);
    }
  }
});

test('AWS example: a changed or unsigned trailer → SignatureDoesNotMatch', (t) => {
  const changed = Buffer.from(awsTrailerBody.toString('latin1').replace('sOO8/Q==', 'sOO8/Q=='.replace('s', 't')), 'latin1');
  t.is(errorCode(decodePieces(awsTrailerOptions, [changed])), 'SignatureDoesNotMatch');
  const unsigned = Buffer.concat([awsTrailerData, Buffer.from('x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n')]);
  t.is(errorCode(decodePieces(awsTrailerOptions, [unsigned])), 'SignatureDoesNotMatch');
});

// ---------------------------------------------------------------------------------------------
// Small signed bodies made here: every split position, every prefix, every flipped byte.

const smallContext = signingContext('shardgate/secret+1', '20260301T120000Z', 'eu-central-1', 'a'.repeat(64));
const smallChunks = [seededBytes(1, 17), seededBytes(2, 5), seededBytes(3, 9)];
const smallPayload = Buffer.concat(smallChunks);
const smallCases: { title: string; body: Buffer; options: AwsChunkedOptions; trailers: [string, string][] }[] = [
  {
    title: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    body: encodeSigned(smallContext, smallChunks),
    options: { payloadMode: 'streaming-signed', signing: smallContext, decodedContentLength: 31 },
    trailers: [],
  },
  {
    title: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    body: encodeSigned(smallContext, smallChunks, [['x-amz-checksum-crc32', 'AAAAAA=='], ['x-amz-checksum-sha256', 'q83vEjRWeJA=']]),
    options: {
      payloadMode: 'streaming-signed-trailer',
      signing: smallContext,
      decodedContentLength: 31,
      declaredTrailers: 'x-amz-checksum-crc32, x-amz-checksum-sha256',
    },
    trailers: [['x-amz-checksum-crc32', 'AAAAAA=='], ['x-amz-checksum-sha256', 'q83vEjRWeJA=']],
  },
];

for (const { title, body, options, trailers } of smallCases) {
  test(`${title}: split at every byte boundary, one byte at a time, and seeded random pieces`, (t) => {
    const splits: Buffer[][] = [splitEvery(body, 1)];
    for (let at = 0; at <= body.length; at++) splits.push([body.subarray(0, at), body.subarray(at)]);
    const random = mulberry32(7);
    for (let round = 0; round < 200; round++) {
      const cuts = [0, ...Array.from({ length: 6 }, () => Math.floor(random() * body.length)).sort((a, b) => a - b), body.length];
      splits.push(cuts.slice(1).map((cut, index) => body.subarray(cuts[index]!, cut)));
    }
    for (const pieces of splits) {
      const result = decodePieces(options, pieces);
      if (result instanceof S3Error) return t.fail(`${pieces.map((piece) => piece.length).join('+')}: ${result.message}`);
      if (!result.payload.equals(smallPayload)) return t.fail(`payload differs for ${pieces.map((piece) => piece.length).join('+')}`);
      t.deepEqual([...result.trailers], trailers);
    }
  });

  test(`${title}: every proper prefix → IncompleteBody`, (t) => {
    // The one tolerated cut: after a verified trailer signature, before the final CRLF.
    const tolerated = trailers.length > 0 ? body.length - 2 : -1;
    for (let length = 0; length < body.length; length++) {
      if (length === tolerated) continue;
      t.is(errorCode(decodePieces({ ...options, decodedContentLength: undefined }, [body.subarray(0, length)])), 'IncompleteBody', `prefix ${length}`);
    }
  });

  test(`${title}: any single flipped byte is refused`, (t) => {
    for (let position = 0; position < body.length; position++) {
      const tampered = Buffer.from(body);
      tampered[position]! ^= 1;
      const code = errorCode(decodePieces(options, [tampered]));
      t.true(code === 'SignatureDoesNotMatch' || code === 'IncompleteBody', `byte ${position}: ${code}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Unsigned trailer bodies as the real JS SDK sends them.

/** Captured from @aws-sdk/client-s3 3.1168 PutObject with a two-piece Readable body "abc","defgh". */
const capturedSdkBody = Buffer.from('3\r\nabc\r\n5\r\ndefgh\r\n0\r\nx-amz-checksum-crc32:ru8qUA==\r\n\r\n', 'latin1');
const sdkOptions: AwsChunkedOptions = {
  payloadMode: 'streaming-unsigned-trailer',
  decodedContentLength: 8,
  declaredTrailers: 'x-amz-checksum-crc32',
};

function crc32Base64(data: Buffer): string {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(zlib.crc32(data));
  return checksum.toString('base64');
}

test('captured SDK body: every split position decodes, every proper prefix is IncompleteBody', (t) => {
  t.is(crc32Base64(Buffer.from('abcdefgh')), 'ru8qUA==');
  for (let at = 0; at <= capturedSdkBody.length; at++) {
    const result = decodePieces(sdkOptions, [capturedSdkBody.subarray(0, at), capturedSdkBody.subarray(at)]);
    if (result instanceof S3Error) return t.fail(`split ${at}: ${result.message}`);
    t.is(result.payload.toString(), 'abcdefgh');
    t.is(result.trailers.get('x-amz-checksum-crc32'), 'ru8qUA==');
  }
  for (let length = 0; length < capturedSdkBody.length; length++) {
    t.is(errorCode(decodePieces(sdkOptions, [capturedSdkBody.subarray(0, length)])), 'IncompleteBody', `prefix ${length}`);
  }
});

const framingCases: { title: string; body: string; options?: Partial<AwsChunkedOptions>; code: string }[] = [
  { title: 'chunk size not hex', body: '3x\r\nabc\r\n0\r\n\r\n', code: 'IncompleteBody' },
  { title: 'chunk size empty', body: ';x=1\r\nabc\r\n0\r\n\r\n', code: 'IncompleteBody' },
  { title: 'data longer than its size', body: '3\r\nabcd\r\n0\r\n\r\n', code: 'IncompleteBody' },
  { title: 'bytes after the end', body: '3\r\nabc\r\n0\r\n\r\nextra', code: 'IncompleteBody' },
  { title: 'more bytes than x-amz-decoded-content-length', body: '3\r\nabc\r\n0\r\n\r\n', options: { decodedContentLength: 2 }, code: 'IncompleteBody' },
  { title: 'fewer bytes than x-amz-decoded-content-length', body: '3\r\nabc\r\n0\r\n\r\n', options: { decodedContentLength: 4 }, code: 'IncompleteBody' },
  { title: 'a header line over the limit', body: `3;${'x'.repeat(5000)}\r\nabc\r\n0\r\n\r\n`, code: 'IncompleteBody' },
  { title: 'an undeclared trailer', body: '0\r\nx-amz-checksum-sha1:AAAA\r\n\r\n', options: { declaredTrailers: 'x-amz-checksum-crc32' }, code: 'IncompleteBody' },
  { title: 'a declared trailer missing', body: '3\r\nabc\r\n0\r\n\r\n', options: { declaredTrailers: 'x-amz-checksum-crc32' }, code: 'IncompleteBody' },
  { title: 'a trailer line without colon', body: '0\r\nx-amz-checksum-crc32\r\n\r\n', code: 'IncompleteBody' },
  { title: 'trailers without x-amz-trailer declared are kept', body: '1\r\nz\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n', code: 'ok' },
  { title: 'trailers in STREAMING-AWS4-HMAC-SHA256-PAYLOAD', body: '', options: { payloadMode: 'streaming-signed', signing: smallContext }, code: 'IncompleteBody' },
  { title: 'no chunk-signature in a signed mode', body: '3\r\nabc\r\n0\r\n\r\n', options: { payloadMode: 'streaming-signed', signing: smallContext }, code: 'SignatureDoesNotMatch' },
];

for (const framing of framingCases) {
  test(`framing: ${framing.title} → ${framing.code}`, (t) => {
    const body =
      framing.title === 'trailers in STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
        ? Buffer.concat([encodeSigned(smallContext, smallChunks).subarray(0, -2), Buffer.from('x-amz-checksum-crc32:AAAA\r\n\r\n')])
        : Buffer.from(framing.body, 'latin1');
    const options: AwsChunkedOptions = { payloadMode: 'streaming-unsigned-trailer', ...framing.options };
    t.is(errorCode(decodePieces(options, [body])), framing.code);
    t.is(errorCode(decodePieces(options, splitEvery(body, 1))), framing.code);
  });
}

test('a failed decoder keeps failing; signed modes demand a signing context', (t) => {
  const decoder = new AwsChunkedDecoder({ payloadMode: 'streaming-unsigned-trailer' });
  const first = t.throws(() => decoder.push(Buffer.from('zz\r\n')), { instanceOf: S3Error });
  t.is(t.throws(() => decoder.push(Buffer.from('0\r\n\r\n'))), first);
  t.is(t.throws(() => decoder.end()), first);
  t.throws(() => new AwsChunkedDecoder({ payloadMode: 'streaming-signed-trailer' }), { instanceOf: TypeError });
});

// ---------------------------------------------------------------------------------------------
// Live capture: the real SDK uploads a stream body; the gateway side verifies and decodes it.

test('real SDK stream upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER, crc32 trailer) verifies and decodes', async (t) => {
  const captured: { url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      captured.push({ url: req.url!, headers: req.headers, body: Buffer.concat(parts) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDCHUNKED', secretAccessKey: 'chunked-secret' },
  });
  t.teardown(() => client.destroy());
  const payload = seededBytes(42, 300_001);
  const pieces = splitEvery(payload, 65_536 + 17);
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'stream ü.bin', Body: Readable.from(pieces), ContentLength: payload.length }));

  const [request] = captured;
  t.is(request!.headers['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  t.is(request!.headers['content-encoding'], 'aws-chunked');
  const verifier = new SigV4Verifier({ lookupSecret: async () => 'chunked-secret', region: 'us-east-1' });
  const queryAt = request!.url.indexOf('?');
  const auth = await verifier.verify({
    method: 'PUT',
    rawPath: request!.url.slice(0, queryAt),
    query: request!.url.slice(queryAt + 1),
    headers: request!.headers,
    now: new Date(),
  });
  t.is(auth.payloadMode, 'streaming-unsigned-trailer');

  const decoder = new AwsChunkedDecoder({
    payloadMode: 'streaming-unsigned-trailer',
    decodedContentLength: Number(request!.headers['x-amz-decoded-content-length']),
    declaredTrailers: String(request!.headers['x-amz-trailer']),
  });
  const decoded: Buffer[] = [];
  await pipeline(Readable.from(splitEvery(request!.body, 16_384)), (source) => decoder.decode(source), async (stream) => {
    for await (const part of stream) decoded.push(part as Buffer);
  });
  t.true(Buffer.concat(decoded).equals(payload));
  t.is(decoder.trailers.get('x-amz-checksum-crc32'), crc32Base64(payload));
  t.is(decoder.decodedLength, payload.length);
});
