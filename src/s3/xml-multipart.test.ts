import test from 'ava';
import {
  completeMultipartUploadResultXml, initiateMultipartUploadResultXml, listMultipartUploadsResultXml, listPartsResultXml,
} from './xml-multipart.ts';
import { parseXmlBody } from './xml.ts';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const alice = { id: 'a1', displayName: 'alice' };
const bob = { id: 'b2', displayName: 'bob' };

test('InitiateMultipartUploadResult', (t) => {
  t.is(
    initiateMultipartUploadResultXml({ bucket: 'videos', key: 'a & b.mp4', uploadId: '0190abc' }),
    `${DECL}<InitiateMultipartUploadResult ${NS}><Bucket>videos</Bucket><Key>a &amp; b.mp4</Key><UploadId>0190abc</UploadId></InitiateMultipartUploadResult>`,
  );
});

test('CompleteMultipartUploadResult, with and without a checksum', (t) => {
  t.is(
    completeMultipartUploadResultXml({ location: 'http://h/videos/k', bucket: 'videos', key: 'k', etag: '"abc-2"' }),
    `${DECL}<CompleteMultipartUploadResult ${NS}><Location>http://h/videos/k</Location><Bucket>videos</Bucket><Key>k</Key>` +
      '<ETag>&quot;abc-2&quot;</ETag></CompleteMultipartUploadResult>',
  );
  t.is(
    completeMultipartUploadResultXml({
      location: 'http://h/videos/k', bucket: 'videos', key: 'k', etag: '"abc-2"', checksums: { crc64nvme: 'AAAAAAAAAAA=' }, checksumType: 'FULL_OBJECT',
    }),
    `${DECL}<CompleteMultipartUploadResult ${NS}><Location>http://h/videos/k</Location><Bucket>videos</Bucket><Key>k</Key>` +
      '<ETag>&quot;abc-2&quot;</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType>' +
      '</CompleteMultipartUploadResult>',
  );
});

test('ListPartsResult: markers, parts with checksums, url encoding of the key', (t) => {
  const xml = listPartsResultXml({
    bucket: 'videos', key: 'dir/é 1.mp4', uploadId: 'u1', initiator: alice, owner: bob, partNumberMarker: 1, nextPartNumberMarker: 3,
    maxParts: 2, isTruncated: true, checksumAlgorithm: 'CRC32', checksumType: 'COMPOSITE', encodingType: 'url',
    parts: [
      { partNumber: 2, lastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), etag: '"e2"', size: 5242880, checksums: { crc32: 'AAAAAA==' } },
      { partNumber: 3, lastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 6)), etag: '"e3"', size: 1 },
    ],
  });
  t.is(xml, `${DECL}<ListPartsResult ${NS}><Bucket>videos</Bucket><Key>dir/%C3%A9%201.mp4</Key><UploadId>u1</UploadId>` +
    '<Initiator><ID>a1</ID><DisplayName>alice</DisplayName></Initiator><Owner><ID>b2</ID><DisplayName>bob</DisplayName></Owner>' +
    '<StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType>' +
    '<PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts>' +
    '<IsTruncated>true</IsTruncated><EncodingType>url</EncodingType>' +
    '<Part><PartNumber>2</PartNumber><LastModified>2024-01-02T03:04:05.006Z</LastModified><ETag>&quot;e2&quot;</ETag>' +
    '<Size>5242880</Size><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>' +
    '<Part><PartNumber>3</PartNumber><LastModified>2024-01-02T03:04:06.000Z</LastModified><ETag>&quot;e3&quot;</ETag><Size>1</Size></Part>' +
    '</ListPartsResult>');
});

test('ListPartsResult of an upload without parts', (t) => {
  t.is(
    listPartsResultXml({ bucket: 'b', key: 'k', uploadId: 'u', initiator: alice, owner: alice, partNumberMarker: 0, maxParts: 1000, isTruncated: false, parts: [] }),
    `${DECL}<ListPartsResult ${NS}><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>` +
      '<Initiator><ID>a1</ID><DisplayName>alice</DisplayName></Initiator><Owner><ID>a1</ID><DisplayName>alice</DisplayName></Owner>' +
      '<StorageClass>STANDARD</StorageClass><PartNumberMarker>0</PartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>' +
      '</ListPartsResult>',
  );
});

test('ListMultipartUploadsResult: markers, uploads, common prefixes', (t) => {
  const xml = listMultipartUploadsResultXml({
    bucket: 'videos', keyMarker: 'a', uploadIdMarker: 'u0', nextKeyMarker: 'b\r', nextUploadIdMarker: 'u9', delimiter: '/', prefix: '',
    maxUploads: 2, isTruncated: true, commonPrefixes: ['photos/'],
    uploads: [{ key: 'b\r', uploadId: 'u9', initiator: alice, owner: bob, initiated: new Date(Date.UTC(2010, 10, 10, 20, 48, 33)), checksumAlgorithm: 'SHA256' }],
  });
  t.is(xml, `${DECL}<ListMultipartUploadsResult ${NS}><Bucket>videos</Bucket><KeyMarker>a</KeyMarker><UploadIdMarker>u0</UploadIdMarker>` +
    '<NextKeyMarker>b&#xD;</NextKeyMarker><NextUploadIdMarker>u9</NextUploadIdMarker><Delimiter>/</Delimiter><Prefix></Prefix>' +
    '<MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>' +
    '<Upload><Key>b&#xD;</Key><UploadId>u9</UploadId><Initiator><ID>a1</ID><DisplayName>alice</DisplayName></Initiator>' +
    '<Owner><ID>b2</ID><DisplayName>bob</DisplayName></Owner><StorageClass>STANDARD</StorageClass>' +
    '<Initiated>2010-11-10T20:48:33.000Z</Initiated><ChecksumAlgorithm>SHA256</ChecksumAlgorithm></Upload>' +
    '<CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes></ListMultipartUploadsResult>');
});

test('ListMultipartUploadsResult with encoding-type=url; keys survive a parser byte for byte', async (t) => {
  const key = 'a b/é\r\n&<>"\'';
  const xml = listMultipartUploadsResultXml({
    bucket: 'b', maxUploads: 1000, isTruncated: false, commonPrefixes: [], prefix: 'a b/',
    uploads: [{ key, uploadId: 'u', initiator: alice, owner: alice, initiated: new Date(0) }],
  });
  const parsed = await parseXmlBody(xml) as { ListMultipartUploadsResult: { Upload: { Key: string[] }[]; KeyMarker: string[] } };
  t.is(parsed.ListMultipartUploadsResult.Upload[0]!.Key[0], key);
  t.is(parsed.ListMultipartUploadsResult.KeyMarker[0], '');
  const encoded = listMultipartUploadsResultXml({
    bucket: 'b', maxUploads: 1000, isTruncated: false, commonPrefixes: ['a b/x/'], prefix: 'a b/', delimiter: '/', encodingType: 'url',
    uploads: [{ key, uploadId: 'u', initiator: alice, owner: alice, initiated: new Date(0) }],
  });
  t.is(encoded, `${DECL}<ListMultipartUploadsResult ${NS}><Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
    '<Delimiter>/</Delimiter><Prefix>a%20b/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>' +
    '<Upload><Key>a%20b/%C3%A9%0D%0A%26%3C%3E%22%27</Key><UploadId>u</UploadId><Initiator><ID>a1</ID><DisplayName>alice</DisplayName></Initiator>' +
    '<Owner><ID>a1</ID><DisplayName>alice</DisplayName></Owner><StorageClass>STANDARD</StorageClass><Initiated>1970-01-01T00:00:00.000Z</Initiated></Upload>' +
    '<CommonPrefixes><Prefix>a%20b/x/</Prefix></CommonPrefixes></ListMultipartUploadsResult>');
});
