/**
 * aws-chunked decoding throughput: `npx tsx bench/aws-chunked.ts [totalMiB=64] [chunkKiB=64] [pieceKiB=64] [rounds=5]`.
 *
 * Encodes `totalMiB` of payload as aws-chunked with `chunkKiB` chunks — unsigned with a crc32
 * trailer (what the JS SDK sends) and signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) — then decodes it
 * fed in `pieceKiB` pieces, as a socket would deliver them (the pieces do not line up with the
 * chunk framing). Reports median MB/s of decoded payload (1 MB = 10^6 bytes), and plain SHA-256
 * over the same bytes: the signed mode's ceiling, since every payload byte is hashed.
 */
import { createHash, createHmac } from 'node:crypto';
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../src/s3/aws-chunked.ts';
import type { ChunkSigningContext } from '../src/s3/sigv4.ts';

const totalBytes = Number(process.argv[2] ?? 64) * 2 ** 20;
const chunkSize = Number(process.argv[3] ?? 64) * 1024;
const pieceSize = Number(process.argv[4] ?? 64) * 1024;
const rounds = Number(process.argv[5] ?? 5);

const payload = Buffer.alloc(totalBytes);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const signingKey = hmac(hmac(hmac(hmac('AWS4bench-secret', '20260301'), 'us-east-1'), 's3'), 'aws4_request');
const signing: ChunkSigningContext = {
  signingKey,
  amzDate: '20260301T120000Z',
  scope: '20260301/us-east-1/s3/aws4_request',
  seedSignature: '0'.repeat(64),
};

function chunks(): Buffer[] {
  const list: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += chunkSize) list.push(payload.subarray(offset, offset + chunkSize));
  return list;
}

function encodeUnsignedTrailer(): Buffer {
  const parts = chunks().flatMap((chunk) => [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  return Buffer.concat([...parts, Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n')]);
}

function encodeSigned(): Buffer {
  const parts: Buffer[] = [];
  let previous = signing.seedSignature;
  const empty = sha256Hex(Buffer.alloc(0));
  for (const chunk of [...chunks(), Buffer.alloc(0)]) {
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previous}\n${empty}\n${sha256Hex(chunk)}`;
    previous = hmac(signingKey, toSign).toString('hex');
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function decode(body: Buffer, options: AwsChunkedOptions): number {
  const decoder = new AwsChunkedDecoder(options);
  let decodedBytes = 0;
  for (let offset = 0; offset < body.length; offset += pieceSize) {
    for (const part of decoder.push(body.subarray(offset, offset + pieceSize))) decodedBytes += part.length;
  }
  decoder.end();
  return decodedBytes;
}

const variants: Record<string, () => number> = {};
const unsignedBody = encodeUnsignedTrailer();
const signedBody = encodeSigned();
variants.unsignedTrailer = () =>
  decode(unsignedBody, { payloadMode: 'streaming-unsigned-trailer', decodedContentLength: totalBytes, declaredTrailers: 'x-amz-checksum-crc32' });
variants.signed = () => decode(signedBody, { payloadMode: 'streaming-signed', signing, decodedContentLength: totalBytes });
variants.sha256Only = () => {
  const hash = createHash('sha256');
  for (let offset = 0; offset < payload.length; offset += pieceSize) hash.update(payload.subarray(offset, offset + pieceSize));
  hash.digest();
  return totalBytes;
};

const megabytesPerSecond: Record<string, number> = {};
for (const [name, run] of Object.entries(variants)) {
  run(); // warm up
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const decodedBytes = run();
    samples.push(totalBytes / 1e6 / ((performance.now() - started) / 1000));
    if (decodedBytes !== totalBytes) throw new Error(`${name} decoded ${decodedBytes} of ${totalBytes} bytes`);
  }
  samples.sort((a, b) => a - b);
  megabytesPerSecond[name] = Math.round(samples[Math.floor(samples.length / 2)] ?? 0);
}

console.log(
  JSON.stringify({
    bench: 'aws-chunked',
    node: process.version,
    totalBytes,
    chunkSize,
    pieceSize,
    rounds,
    megabytesPerSecond,
  }),
);
