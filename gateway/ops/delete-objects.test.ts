import test from 'ava';
import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseDeleteRequest } from './delete-objects.ts';

const body = (inner: string) => `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</Delete>`;

test('DeleteObjects body: keys (whitespace kept), versions, quiet', async (t) => {
  t.deepEqual(parseDeleteRequest(await parseXmlBody(body('<Object><Key> a </Key></Object><Object><Key>b&amp;c</Key><VersionId>null</VersionId></Object>'))), {
    quiet: false,
    objects: [{ key: ' a ' }, { key: 'b&c', versionId: 'null' }],
  });
  t.true(parseDeleteRequest(await parseXmlBody(body('<Quiet>true</Quiet><Object><Key>k</Key></Object>'))).quiet);
  t.false(parseDeleteRequest(await parseXmlBody(body('<Quiet>False</Quiet><Object><Key>k</Key></Object>'))).quiet);
});

test('DeleteObjects body: no key, over 1000 keys, a bad Quiet are MalformedXML', async (t) => {
  const thousand = '<Object><Key>k</Key></Object>'.repeat(1000);
  t.is(parseDeleteRequest(await parseXmlBody(body(thousand))).objects.length, 1000);
  for (const xml of [
    '<Other/>', body(''), body('<Object></Object>'), body('<Object><Key>a</Key><Key>b</Key></Object>'), body(thousand + '<Object><Key>k</Key></Object>'),
    body('<Quiet>maybe</Quiet><Object><Key>k</Key></Object>'),
  ]) {
    const tree = await parseXmlBody(xml);
    t.is(t.throws(() => parseDeleteRequest(tree), { instanceOf: S3Error })?.code, 'MalformedXML', xml.slice(0, 100));
  }
});
