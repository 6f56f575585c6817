import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetBucketLocationCommand, ListBucketsCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import test from 'ava';
import { S3Error } from './errors.ts';
import { parseRangeHeader } from './range.ts';
import {
  S3_XML_NAMESPACE,
  XML_DECLARATION,
  errorXml,
  escapeXml,
  formatS3Timestamp,
  listAllMyBucketsXml,
  listBucketResultV1Xml,
  listBucketResultV2Xml,
  locationConstraintXml,
  parseXmlBody,
  s3ErrorXml,
  s3UrlEncode,
} from './xml.ts';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

test('declaration and namespace constants', (t) => {
  t.is(XML_DECLARATION, '<?xml version="1.0" encoding="UTF-8"?>');
  t.is(S3_XML_NAMESPACE, 'http://s3.amazonaws.com/doc/2006-03-01/');
});

test('escapeXml escapes markup, quotes, CR and LF; leaves other text alone', (t) => {
  t.is(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  t.is(escapeXml('line\r\nnext\rx\ny'), 'line&#xD;&#xA;next&#xD;x&#xA;y');
  t.is(escapeXml('tab\there é 😀 \u0001'), 'tab\there é 😀 \u0001');
  t.is(escapeXml('&amp;'), '&amp;amp;');
  t.is(escapeXml(''), '');
});

test('s3UrlEncode keeps unreserved characters and slash; space is %20, plus is %2B', (t) => {
  // ceph/s3-tests test_bucket_listv2_encoding_basic
  t.is(s3UrlEncode('asdf+b'), 'asdf%2Bb');
  t.is(s3UrlEncode('foo+1/'), 'foo%2B1/');
  t.is(s3UrlEncode('quux ab/'), 'quux%20ab/');
  t.is(s3UrlEncode('foo/'), 'foo/');
  t.is(s3UrlEncode('AZaz09-_.~/'), 'AZaz09-_.~/');
  t.is(s3UrlEncode("!'()*&=?#%"), '%21%27%28%29%2A%26%3D%3F%23%25');
  t.is(s3UrlEncode('é😀'), '%C3%A9%F0%9F%98%80');
  t.is(s3UrlEncode('a\r\n\u0001'), 'a%0D%0A%01');
  t.is(s3UrlEncode('\uD800x'), '%EF%BF%BDx'); // lone surrogate → U+FFFD
  for (const text of ['a b+c/d', 'é😀/\r\n', "!'()*~"]) t.is(decodeURIComponent(s3UrlEncode(text)), text);
});

test('formatS3Timestamp is ISO 8601 UTC with milliseconds', (t) => {
  t.is(formatS3Timestamp(new Date(Date.UTC(2009, 9, 12, 17, 50, 30))), '2009-10-12T17:50:30.000Z');
  t.is(formatS3Timestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67))), '2024-01-02T03:04:05.067Z');
});

test('errorXml golden: the AWS documentation sample', (t) => {
  t.is(
    errorXml({
      code: 'NoSuchKey',
      message: 'The resource you requested does not exist',
      resource: '/mybucket/myfoto.jpg',
      requestId: '4442587FB7D0A2F9',
    }),
    HEAD +
      '<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>' +
      '<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>',
  );
});

test('errorXml golden: extra elements after Message, HostId last, text escaped', (t) => {
  t.is(
    errorXml({
      code: 'NoSuchBucket',
      message: 'The specified bucket does not exist.',
      requestId: 'req-1',
      hostId: 'host<1>',
      extra: { BucketName: 'a&b' },
    }),
    HEAD +
      '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist.</Message>' +
      '<BucketName>a&amp;b</BucketName><RequestId>req-1</RequestId><HostId>host&lt;1&gt;</HostId></Error>',
  );
});

test('errorXml refuses an extra element name that is not an XML name', (t) => {
  for (const name of ['a b', '<x>', '1abc', '']) {
    t.throws(() => errorXml({ code: 'InvalidRequest', message: 'm', requestId: 'r', extra: { [name]: 'v' } }), {
      instanceOf: RangeError,
    });
  }
});

test('s3ErrorXml golden: InvalidRange from parseRangeHeader', (t) => {
  const error = t.throws(() => parseRangeHeader('bytes=40-50', 11), { instanceOf: S3Error });
  if (error === undefined) return;
  t.is(
    s3ErrorXml(error, 'req-2'),
    HEAD +
      '<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message>' +
      '<RangeRequested>bytes=40-50</RangeRequested><ActualObjectSize>11</ActualObjectSize>' +
      '<RequestId>req-2</RequestId></Error>',
  );
  t.is(
    s3ErrorXml(new S3Error('NoSuchKey', { resource: '/b/k', message: 'gone' }), 'req-3', 'h'),
    HEAD + '<Error><Code>NoSuchKey</Code><Message>gone</Message><Resource>/b/k</Resource><RequestId>req-3</RequestId><HostId>h</HostId></Error>',
  );
});

test('listAllMyBucketsXml golden', (t) => {
  const owner = { id: 'bcaf1ffd86f41161ca5fb16fd081034f', displayName: 'webfile' };
  const buckets = [
    { name: 'quotes', creationDate: new Date(Date.UTC(2006, 1, 3, 16, 45, 9)) },
    { name: 'samples', creationDate: new Date(Date.UTC(2006, 1, 3, 16, 41, 58)) },
  ];
  t.is(
    listAllMyBucketsXml(owner, buckets),
    HEAD +
      '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>' +
      '<Buckets><Bucket><Name>quotes</Name><CreationDate>2006-02-03T16:45:09.000Z</CreationDate></Bucket>' +
      '<Bucket><Name>samples</Name><CreationDate>2006-02-03T16:41:58.000Z</CreationDate></Bucket></Buckets>' +
      '</ListAllMyBucketsResult>',
  );
  t.is(
    listAllMyBucketsXml(owner, [], { continuationToken: 'tok', prefix: 'q' }),
    HEAD +
      '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>' +
      '<Buckets></Buckets><ContinuationToken>tok</ContinuationToken><Prefix>q</Prefix></ListAllMyBucketsResult>',
  );
});

const IMAGE = {
  key: 'my-image.jpg',
  lastModified: new Date(Date.UTC(2009, 9, 12, 17, 50, 30)),
  etag: '"fba9dede5f27731c9771645a39863328"',
  size: 434234,
};

test('listBucketResultV2Xml golden: the AWS documentation example shape', (t) => {
  t.is(
    listBucketResultV2Xml({ name: 'bucket', maxKeys: 1000, isTruncated: false, contents: [IMAGE], commonPrefixes: [] }),
    HEAD +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix></Prefix>' +
      '<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>' +
      '<Contents><Key>my-image.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
      '<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>' +
      '</ListBucketResult>',
  );
});

test('listBucketResultV2Xml golden: every optional element, in S3 order', (t) => {
  t.is(
    listBucketResultV2Xml({
      name: 'photos',
      prefix: 'a/',
      delimiter: '/',
      maxKeys: 2,
      isTruncated: true,
      continuationToken: 'c1',
      nextContinuationToken: 'c2',
      startAfter: 'a/0',
      contents: [
        {
          ...IMAGE,
          key: 'a/<1>.txt',
          owner: { id: 'o1', displayName: 'Owner' },
          storageClass: 'REDUCED_REDUNDANCY',
          checksumAlgorithm: 'CRC32',
        },
      ],
      commonPrefixes: ['a/b/'],
    }),
    HEAD +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>photos</Name><Prefix>a/</Prefix>' +
      '<StartAfter>a/0</StartAfter><ContinuationToken>c1</ContinuationToken><NextContinuationToken>c2</NextContinuationToken>' +
      '<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>' +
      '<Contents><Key>a/&lt;1&gt;.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
      '<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>434234</Size>' +
      '<Owner><ID>o1</ID><DisplayName>Owner</DisplayName></Owner><StorageClass>REDUCED_REDUNDANCY</StorageClass></Contents>' +
      '<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes></ListBucketResult>',
  );
});

test('listBucketResultV2Xml golden: encoding-type=url encodes keys, prefixes, delimiter and start-after only', (t) => {
  t.is(
    listBucketResultV2Xml({
      name: 'b',
      prefix: 'q a',
      delimiter: '/',
      startAfter: 'q a+',
      continuationToken: 'x y',
      maxKeys: 1000,
      isTruncated: false,
      encodingType: 'url',
      contents: [{ ...IMAGE, key: 'asdf+b\r' }],
      commonPrefixes: ['quux ab/'],
    }),
    HEAD +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>q%20a</Prefix>' +
      '<StartAfter>q%20a%2B</StartAfter><ContinuationToken>x y</ContinuationToken>' +
      '<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType>' +
      '<IsTruncated>false</IsTruncated>' +
      '<Contents><Key>asdf%2Bb%0D</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
      '<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>' +
      '<CommonPrefixes><Prefix>quux%20ab/</Prefix></CommonPrefixes></ListBucketResult>',
  );
});

test('listBucketResultV1Xml golden', (t) => {
  t.is(
    listBucketResultV1Xml({
      name: 'b',
      maxKeys: 1,
      isTruncated: true,
      nextMarker: 'k 1',
      delimiter: '/',
      encodingType: 'url',
      contents: [{ ...IMAGE, key: 'k 1', owner: { id: 'o', displayName: 'd' } }],
      commonPrefixes: [],
    }),
    HEAD +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><Marker></Marker>' +
      '<NextMarker>k%201</NextMarker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType>' +
      '<IsTruncated>true</IsTruncated>' +
      '<Contents><Key>k%201</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>' +
      '<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>' +
      '<Owner><ID>o</ID><DisplayName>d</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>' +
      '</ListBucketResult>',
  );
});

test('locationConstraintXml golden: us-east-1 is the empty element', (t) => {
  t.is(locationConstraintXml('eu-west-1'), HEAD + '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
  t.is(locationConstraintXml('us-east-1'), HEAD + '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
  t.is(locationConstraintXml(''), HEAD + '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
});

test('parseXmlBody: xml2js shape for a DeleteObjects body, whitespace and escaped CR kept', async (t) => {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    '<Object><Key>  </Key></Object><Object><Key>a&amp;b&#xD;c</Key><VersionId>v1</VersionId></Object>' +
    '<Quiet>true</Quiet></Delete>';
  const expected = {
    Delete: {
      $: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Object: [{ Key: ['  '] }, { Key: ['a&b\rc'], VersionId: ['v1'] }],
      Quiet: ['true'],
    },
  };
  t.deepEqual(await parseXmlBody(body), expected);
  t.deepEqual(await parseXmlBody(Buffer.from(body, 'utf8')), expected);
  t.deepEqual(await parseXmlBody('\uFEFF' + body), expected);
  t.deepEqual(await parseXmlBody(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(body, 'utf8')])), expected);
});

test('parseXmlBody: CreateBucketConfiguration', async (t) => {
  t.deepEqual(
    await parseXmlBody(
      `<CreateBucketConfiguration xmlns="${S3_XML_NAMESPACE}"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
    ),
    { CreateBucketConfiguration: { $: { xmlns: S3_XML_NAMESPACE }, LocationConstraint: ['eu-west-1'] } },
  );
});

test('parseXmlBody: anything not one well-formed document is MalformedXML', async (t) => {
  const bodies: (string | Uint8Array)[] = [
    '',
    '   ',
    'not xml',
    '<a><b></a>',
    '<a>',
    '<a>&foo;</a>',
    '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
    '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), // <a>\xff</a>: not UTF-8
  ];
  for (const body of bodies) {
    const error = await t.throwsAsync(parseXmlBody(body), { instanceOf: S3Error }, JSON.stringify(String(body)));
    t.is(error?.code, 'MalformedXML');
    t.is(error?.status, 400);
  }
});

test('round trip through xml2js: tricky keys come back byte-identical', async (t) => {
  const keys = ['a&b', 'x<y>z', `"q" 'a'`, 'cr\rlf\ncrlf\r\n', 'tab\t', 'é/😀/\uFFFD', '  lead and trail  ', 'plus+space %20'];
  const xml = listBucketResultV2Xml({
    name: 'b',
    maxKeys: 1000,
    isTruncated: false,
    contents: keys.map((key) => ({ ...IMAGE, key })),
    commonPrefixes: [],
  });
  const parsed = (await parseXmlBody(xml)) as { ListBucketResult: { Contents: { Key: string[] }[] } };
  t.deepEqual(
    parsed.ListBucketResult.Contents.map((contents) => contents.Key[0]),
    keys,
  );
});

/** A throwaway server answering every request with `body`, so the real SDK parses our XML. */
async function withXmlServer(t: import('ava').ExecutionContext, status: number, body: string): Promise<S3Client> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-request-id': 'req-sdk' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
}

test('the real AWS SDK reads our ListObjectsV2 XML, keys byte-identical, with and without encoding-type=url', async (t) => {
  const keys = ['a&b', `"q" 'a'`, 'cr\rlf\ncrlf\r\n', 'é/😀', ' space ', 'plus+'];
  const listing = {
    name: 'bucket',
    prefix: '',
    maxKeys: 1000,
    isTruncated: true,
    nextContinuationToken: 'next/token=',
    contents: keys.map((key, index) => ({ ...IMAGE, key, size: index })),
    commonPrefixes: ['dir one/'],
  };
  for (const encodingType of [undefined, 'url'] as const) {
    const client = await withXmlServer(t, 200, listBucketResultV2Xml({ ...listing, encodingType }));
    const output = await client.send(new ListObjectsV2Command({ Bucket: 'bucket', EncodingType: encodingType }));
    const decode = encodingType === 'url' ? decodeURIComponent : (text: string) => text;
    t.deepEqual(output.Contents?.map((object) => decode(object.Key ?? '')), keys);
    t.deepEqual(output.Contents?.map((object) => object.Size), [0, 1, 2, 3, 4, 5]);
    t.is(output.Contents?.[0]?.ETag, '"fba9dede5f27731c9771645a39863328"');
    t.is(output.Contents?.[0]?.LastModified?.toISOString(), '2009-10-12T17:50:30.000Z');
    t.deepEqual(output.CommonPrefixes?.map((prefix) => decode(prefix.Prefix ?? '')), ['dir one/']);
    t.is(output.KeyCount, 7);
    t.is(output.IsTruncated, true);
    t.is(output.NextContinuationToken, 'next/token=');
  }
});

test('the real AWS SDK reads our ListBuckets, GetBucketLocation and error XML', async (t) => {
  const buckets = await withXmlServer(
    t,
    200,
    listAllMyBucketsXml({ id: 'owner-id', displayName: 'owner' }, [{ name: 'b1', creationDate: IMAGE.lastModified }]),
  );
  const listed = await buckets.send(new ListBucketsCommand({}));
  t.deepEqual(listed.Buckets?.map((bucket) => [bucket.Name, bucket.CreationDate?.toISOString()]), [['b1', '2009-10-12T17:50:30.000Z']]);
  t.is(listed.Owner?.ID, 'owner-id');

  const location = await withXmlServer(t, 200, locationConstraintXml('eu-west-1'));
  t.is((await location.send(new GetBucketLocationCommand({ Bucket: 'b1' }))).LocationConstraint, 'eu-west-1');

  const failing = await withXmlServer(
    t,
    404,
    s3ErrorXml(new S3Error('NoSuchBucket', { resource: '/nope', extra: { BucketName: 'nope' } }), 'req-sdk'),
  );
  const error = await t.throwsAsync(failing.send(new ListObjectsV2Command({ Bucket: 'nope' })), { instanceOf: S3ServiceException });
  t.is(error?.name, 'NoSuchBucket');
  t.is(error?.message, 'The specified bucket does not exist.');
  t.is(error?.$metadata.httpStatusCode, 404);
  t.is(error?.$metadata.requestId, 'req-sdk');
});
