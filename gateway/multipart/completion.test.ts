import { createHash } from 'node:crypto';
import test from 'ava';
import type { UploadedPart } from '../../src/meta/multipart-types.ts';
import { checksumBase64 } from '../../src/s3/checksums/algorithms.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseCompleteRequest, planCompletion, type RequestedPart } from './completion.ts';
import { MIN_PART_BYTES } from './part-number.ts';

const body = (parts: string) => `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`;
const part = (number: string, etag: string, extra = '') => `<Part><PartNumber>${number}</PartNumber><ETag>${etag}</ETag>${extra}</Part>`;

async function codeOf(t: import('ava').ExecutionContext, work: () => unknown): Promise<string> {
  const error = await t.throwsAsync(async () => work(), { instanceOf: S3Error });
  return (error as S3Error).code;
}

test('parseCompleteRequest: parts in order, ETags unquoted, checksums by algorithm', async (t) => {
  const tree = await parseXmlBody(body(part('1', '"aa"', '<ChecksumCRC32>AAAAAA==</ChecksumCRC32>') + part(' 3 ', '&quot;bb&quot;') + part('10000', 'cc')));
  t.deepEqual(parseCompleteRequest(tree), [
    { partNumber: 1, etag: 'aa', checksums: { crc32: 'AAAAAA==' } },
    { partNumber: 3, etag: 'bb', checksums: {} },
    { partNumber: 10000, etag: 'cc', checksums: {} },
  ]);
});

test('parseCompleteRequest: S3\'s codes for bad bodies', async (t) => {
  const cases: [string, string][] = [
    ['<Other/>', 'MalformedXML'],
    [body(''), 'MalformedXML'],
    [body('<Part><ETag>x</ETag></Part>'), 'MalformedXML'],
    [body(part('one', 'x')), 'MalformedXML'],
    [body('<Part><PartNumber>1</PartNumber></Part>'), 'MalformedXML'],
    [body(part('0', 'x')), 'InvalidArgument'],
    [body(part('10001', 'x')), 'InvalidArgument'],
    [body(part('2', 'x') + part('1', 'y')), 'InvalidPartOrder'],
    [body(part('2', 'x') + part('2', 'y')), 'InvalidPartOrder'],
  ];
  for (const [xml, expected] of cases) {
    const tree = await parseXmlBody(xml);
    t.is(await codeOf(t, () => parseCompleteRequest(tree)), expected, xml);
  }
});

function uploaded(partNumber: number, bytes: Buffer, algorithm?: 'crc32' | 'crc64nvme'): UploadedPart {
  return {
    partNumber,
    size: bytes.length,
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    checksums: algorithm ? { [algorithm]: checksumBase64(algorithm, bytes) } : {},
    lastModified: new Date(0),
  };
}

async function* stream(parts: readonly UploadedPart[]): AsyncGenerator<UploadedPart> {
  yield* parts;
}

const requestedOf = (part: UploadedPart, checksums: Record<string, string> = {}): RequestedPart =>
  ({ partNumber: part.partNumber, etag: part.etag.slice(1, -1), checksums });

test('planCompletion: size, the md5-of-md5s ETag, the composite checksum; parts not listed are skipped', async (t) => {
  const bytes = [Buffer.alloc(MIN_PART_BYTES, 1), Buffer.alloc(MIN_PART_BYTES, 2), Buffer.from('tail')];
  const parts = [uploaded(1, bytes[0]!, 'crc32'), uploaded(2, bytes[1]!, 'crc32'), uploaded(4, bytes[2]!, 'crc32')];
  const plan = await planCompletion([requestedOf(parts[0]!), requestedOf(parts[2]!)], stream(parts), { algorithm: 'crc32', type: 'COMPOSITE' });
  t.is(plan.size, MIN_PART_BYTES + 4);
  const md5s = Buffer.concat([bytes[0]!, bytes[2]!].map((b) => createHash('md5').update(b).digest()));
  t.is(plan.etag, `"${createHash('md5').update(md5s).digest('hex')}-2"`);
  const crcs = Buffer.concat([bytes[0]!, bytes[2]!].map((b) => Buffer.from(checksumBase64('crc32', b), 'base64')));
  t.deepEqual(plan.checksums, { crc32: `${checksumBase64('crc32', crcs)}-2` });
  t.deepEqual(plan.parts, [{ partNumber: 1, etag: parts[0]!.etag }, { partNumber: 4, etag: parts[2]!.etag }]);
});

test('planCompletion: a FULL_OBJECT checksum is the whole object\'s CRC', async (t) => {
  const bytes = [Buffer.alloc(MIN_PART_BYTES, 7), Buffer.from('the last part, short')];
  const parts = bytes.map((b, i) => uploaded(i + 1, b, 'crc64nvme'));
  const plan = await planCompletion(parts.map((p) => requestedOf(p)), stream(parts), { algorithm: 'crc64nvme', type: 'FULL_OBJECT' });
  t.deepEqual(plan.checksums, { crc64nvme: checksumBase64('crc64nvme', Buffer.concat(bytes)) });
  const unchecked = await planCompletion(parts.map((p) => requestedOf(p)), stream([parts[0]!, { ...parts[1]!, checksums: {} }]), { algorithm: 'crc64nvme', type: 'FULL_OBJECT' });
  t.deepEqual(unchecked.checksums, {}, 'a part without the checksum: the object gets none');
});

test('planCompletion: InvalidPart for a missing part, another ETag or checksum; EntityTooSmall but for the last part', async (t) => {
  const big = uploaded(1, Buffer.alloc(MIN_PART_BYTES, 1), 'crc32');
  const small = uploaded(2, Buffer.alloc(MIN_PART_BYTES - 1, 2), 'crc32');
  const last = uploaded(3, Buffer.from('x'), 'crc32');
  const all = [big, small, last];
  const run = (requested: RequestedPart[]) => planCompletion(requested, stream(all), null);
  t.is(await codeOf(t, () => run([requestedOf(big), { partNumber: 5, etag: 'x', checksums: {} }])), 'InvalidPart');
  t.is(await codeOf(t, () => run([{ ...requestedOf(big), etag: 'ffffffffffffffffffffffffffffffff' }])), 'InvalidPart');
  t.is(await codeOf(t, () => run([requestedOf(big, { crc32: 'AAAAAA==' })])), 'InvalidPart');
  t.is(await codeOf(t, () => run([requestedOf(small), requestedOf(last)])), 'EntityTooSmall');
  t.is((await run([requestedOf(big), requestedOf(small)])).size, 2 * MIN_PART_BYTES - 1, 'the last part may be small');
  t.is((await run([requestedOf(big, big.checksums)])).parts.length, 1);
});
