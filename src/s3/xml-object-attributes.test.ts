import test from 'ava';
import { S3Error } from './errors.ts';
import { objectAttributesXml, parseObjectAttributes, parsePartsPagingHeader } from './xml-object-attributes.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const wrap = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<GetObjectAttributesResponse xmlns="${NS}">${body}</GetObjectAttributesResponse>`;

function codeOf(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return error.code;
  }
}

test('x-amz-object-attributes: the SDK form, spaces, repeats; missing, empty or unknown names are InvalidArgument', (t) => {
  t.deepEqual([...parseObjectAttributes('ETag,Checksum,ObjectParts,StorageClass,ObjectSize')], ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);
  t.deepEqual([...parseObjectAttributes(' ObjectSize , ETag,ETag')], ['ObjectSize', 'ETag']);
  for (const bad of [undefined, '', ' ', 'ETag,', 'etag', 'ETag,Size', 'VersionId']) t.is(codeOf(() => parseObjectAttributes(bad)), 'InvalidArgument', String(bad));
});

test('paging headers: default when absent, whole numbers within the bound, else InvalidArgument', (t) => {
  t.is(parsePartsPagingHeader('x-amz-max-parts', undefined, 1000, 1000), 1000);
  t.is(parsePartsPagingHeader('x-amz-max-parts', ' 2 ', 1000, 1000), 2);
  t.is(parsePartsPagingHeader('x-amz-part-number-marker', '0', 0, 10_000), 0);
  for (const bad of ['-1', '1.5', 'x', '', '1001', '99999999999']) t.is(codeOf(() => parsePartsPagingHeader('x-amz-max-parts', bad, 1000, 1000)), 'InvalidArgument', bad);
});

test('a whole object: bare ETag, FULL_OBJECT checksum, STANDARD, size; no ObjectParts (golden)', (t) => {
  const input = { etag: '"9e107d9d372bb6826bd81d3542a419d6"', size: 43, checksums: { crc32: 'AAAAAA==' }, parts: null };
  t.is(objectAttributesXml(parseObjectAttributes('ETag,Checksum,ObjectParts,StorageClass,ObjectSize'), input), wrap(
    '<ETag>9e107d9d372bb6826bd81d3542a419d6</ETag><Checksum><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumType>FULL_OBJECT</ChecksumType></Checksum>'
    + '<StorageClass>STANDARD</StorageClass><ObjectSize>43</ObjectSize>'));
  t.is(objectAttributesXml(parseObjectAttributes('ObjectSize'), input), wrap('<ObjectSize>43</ObjectSize>'), 'only what was asked');
  t.is(objectAttributesXml(parseObjectAttributes('Checksum'), { ...input, checksums: {} }), wrap(''), 'no stored checksum, no Checksum');
});

test('a multipart object: COMPOSITE checksum without its -N, a page of parts with their checksums (golden)', (t) => {
  const xml = objectAttributesXml(parseObjectAttributes('Checksum,ObjectParts'), {
    etag: '"abc-3"', size: 12, checksums: { sha256: 'c2hh-3' },
    parts: {
      partCount: 3, marker: 1, maxParts: 1, isTruncated: true, nextMarker: 2,
      page: [{ partNumber: 2, offset: 5, size: 5, checksums: { sha256: 'cDI=' } }],
    },
  });
  t.is(xml, wrap('<Checksum><ChecksumSHA256>c2hh</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType></Checksum>'
    + '<ObjectParts><IsTruncated>true</IsTruncated><MaxParts>1</MaxParts><NextPartNumberMarker>2</NextPartNumberMarker><PartNumberMarker>1</PartNumberMarker>'
    + '<Part><ChecksumSHA256>cDI=</ChecksumSHA256><PartNumber>2</PartNumber><Size>5</Size></Part><PartsCount>3</PartsCount></ObjectParts>'));
});
