import test from 'ava';
import { S3Error, type S3ErrorCode } from '../s3/errors.ts';
import { parseXmlBody } from '../s3/xml.ts';
import type { LifecycleRule } from './lifecycle-types.ts';
import { lifecycleConfigurationXml, parseLifecycleConfiguration } from './lifecycle-xml.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const options = { newRuleId: () => 'generated-id' };

async function parse(rulesXml: string): Promise<LifecycleRule[]> {
  return parseLifecycleConfiguration(await parseXmlBody(`<LifecycleConfiguration xmlns="${NS}">${rulesXml}</LifecycleConfiguration>`), options);
}

const rule = (inner: string) => `<Rule>${inner}</Rule>`;
const days = (n: string) => `<Expiration><Days>${n}</Days></Expiration>`;

const accepts = test.macro(async (t, rulesXml: string, expected: LifecycleRule[]) => {
  t.deepEqual(await parse(rulesXml), expected);
});

test('legacy top-level Prefix with Days', accepts, rule(`<ID>r1</ID><Prefix>logs/</Prefix><Status>Enabled</Status>${days('3')}`), [
  { id: 'r1', enabled: true, filter: { kind: 'legacy-prefix', prefix: 'logs/' }, expiration: { kind: 'days', days: 3 }, abortIncompleteUploadDays: null },
]);
test('empty Filter, Date at midnight, Disabled, generated ID', accepts,
  rule('<Filter></Filter><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>'), [
    { id: 'generated-id', enabled: false, filter: { kind: 'all' }, expiration: { kind: 'date', dateMs: Date.UTC(2030, 0, 1) }, abortIncompleteUploadDays: null },
  ]);
test('a bare date is midnight UTC; self-closing Filter selects all', accepts,
  rule('<ID>d</ID><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-02</Date></Expiration>'), [
    { id: 'd', enabled: true, filter: { kind: 'all' }, expiration: { kind: 'date', dateMs: Date.UTC(2030, 0, 2) }, abortIncompleteUploadDays: null },
  ]);
test('Filter Prefix with AbortIncompleteMultipartUpload only', accepts,
  rule('<ID>a</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>'), [
    { id: 'a', enabled: true, filter: { kind: 'prefix', prefix: 'tmp/' }, expiration: null, abortIncompleteUploadDays: 7 },
  ]);
test('Filter Tag, and sizes alone', accepts,
  rule(`<ID>t</ID><Filter><Tag><Key>k</Key><Value></Value></Tag></Filter><Status>Enabled</Status>${days('1')}`) +
  rule(`<ID>g</ID><Filter><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>${days('1')}`) +
  rule(`<ID>l</ID><Filter><ObjectSizeLessThan>100</ObjectSizeLessThan></Filter><Status>Enabled</Status>${days('1')}`), [
    { id: 't', enabled: true, filter: { kind: 'tag', tag: { key: 'k', value: '' } }, expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null },
    { id: 'g', enabled: true, filter: { kind: 'size-greater-than', bytes: 0 }, expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null },
    { id: 'l', enabled: true, filter: { kind: 'size-less-than', bytes: 100 }, expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null },
  ]);
test('And with prefix, two tags and both sizes', accepts,
  rule(`<ID>and</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag>` +
    `<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>20</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>${days('2')}`), [
    {
      id: 'and', enabled: true,
      filter: { kind: 'and', prefix: 'p/', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], sizeGreaterThan: 10, sizeLessThan: 20 },
      expiration: { kind: 'days', days: 2 }, abortIncompleteUploadDays: null,
    },
  ]);

const refuses = test.macro({
  async exec(t, rulesXml: string, code: S3ErrorCode) {
    const error = await t.throwsAsync(parse(rulesXml), { instanceOf: S3Error });
    t.is(error?.code, code);
  },
  title: (title, _xml, code) => `${title} → ${code}`,
});

const ok = (id: string) => rule(`<ID>${id}</ID><Filter/><Status>Enabled</Status>${days('1')}`);
test('no rule', refuses, '', 'MalformedXML');
test('1001 rules', refuses, Array.from({ length: 1001 }, (_, i) => ok(`r${i}`)).join(''), 'MalformedXML');
test('unknown rule element', refuses, rule(`<ID>x</ID><Filter/><Status>Enabled</Status><Bogus/>${days('1')}`), 'MalformedXML');
test('status not Enabled/Disabled', refuses, rule(`<ID>x</ID><Filter/><Status>enabled</Status>${days('1')}`), 'MalformedXML');
test('no status', refuses, rule(`<ID>x</ID><Filter/>${days('1')}`), 'MalformedXML');
test('both Filter and Prefix', refuses, rule(`<ID>x</ID><Filter/><Prefix>a</Prefix><Status>Enabled</Status>${days('1')}`), 'MalformedXML');
test('neither Filter nor Prefix', refuses, rule(`<ID>x</ID><Status>Enabled</Status>${days('1')}`), 'MalformedXML');
test('two predicates in Filter without And', refuses,
  rule(`<ID>x</ID><Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>${days('1')}`), 'MalformedXML');
test('And with one predicate', refuses, rule(`<ID>x</ID><Filter><And><Prefix>a</Prefix></And></Filter><Status>Enabled</Status>${days('1')}`), 'MalformedXML');
test('Days not an integer', refuses, rule(`<ID>x</ID><Filter/><Status>Enabled</Status>${days('1.5')}`), 'MalformedXML');
test('Days negative', refuses, rule(`<ID>x</ID><Filter/><Status>Enabled</Status>${days('-1')}`), 'MalformedXML');
test('Date unreadable', refuses, rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Date>tomorrow</Date></Expiration>'), 'MalformedXML');
test('empty Expiration', refuses, rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration></Expiration>'), 'MalformedXML');
test('Days 0', refuses, rule(`<ID>x</ID><Filter/><Status>Enabled</Status>${days('0')}`), 'InvalidArgument');
test('Date not at midnight', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>'), 'InvalidArgument');
test('Date at midnight of another zone', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00+02:00</Date></Expiration>'), 'InvalidArgument');
test('both Days and Date', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>'), 'InvalidArgument');
test('DaysAfterInitiation 0', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>'), 'InvalidArgument');
test('ID over 255 characters', refuses, ok('x'.repeat(256)), 'InvalidArgument');
test('the same ID twice', refuses, ok('same') + ok('same'), 'InvalidArgument');
test('duplicate tag keys in And', refuses,
  rule(`<ID>x</ID><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>${days('1')}`), 'InvalidArgument');
test('size bounds that leave nothing', refuses,
  rule(`<ID>x</ID><Filter><And><ObjectSizeGreaterThan>20</ObjectSizeGreaterThan><ObjectSizeLessThan>20</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>${days('1')}`), 'InvalidArgument');
test('ObjectSizeLessThan 0', refuses, rule(`<ID>x</ID><Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter><Status>Enabled</Status>${days('1')}`), 'InvalidArgument');
test('a rule without action', refuses, rule('<ID>x</ID><Filter/><Status>Enabled</Status>'), 'InvalidRequest');
test('abort with a tag filter', refuses,
  rule('<ID>x</ID><Filter><Tag><Key>a</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>'), 'InvalidRequest');
test('ExpiredObjectDeleteMarker', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>'), 'NotImplemented');
test('Transition', refuses,
  rule(`<ID>x</ID><Filter/><Status>Enabled</Status>${days('30')}<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>`), 'NotImplemented');
test('NoncurrentVersionExpiration', refuses,
  rule('<ID>x</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>'), 'NotImplemented');

test('a document that is not a LifecycleConfiguration', async (t) => {
  const error = t.throws(() => parseLifecycleConfiguration({ CORSConfiguration: {} }, options), { instanceOf: S3Error });
  t.is(error?.code, 'MalformedXML');
});

test('GetBucketLifecycleConfiguration writes each filter form back and parses to the same rules', async (t) => {
  const rules = await parse(
    rule(`<ID>legacy</ID><Prefix>logs/</Prefix><Status>Enabled</Status>${days('3')}`) +
    rule('<ID>all</ID><Filter/><Status>Disabled</Status><Expiration><Date>2030-01-01</Date></Expiration>') +
    rule(`<ID>tag</ID><Filter><Tag><Key>k</Key><Value>v&amp;w</Value></Tag></Filter><Status>Enabled</Status>${days('1')}`) +
    rule(`<ID>and</ID><Filter><And><Prefix>p/</Prefix><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>${days('1')}`) +
    rule('<ID>abort</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>'),
  );
  const xml = lifecycleConfigurationXml(rules);
  t.is(xml, `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="${NS}">` +
    '<Rule><ID>legacy</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>' +
    '<Rule><ID>all</ID><Filter></Filter><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>' +
    '<Rule><ID>tag</ID><Filter><Tag><Key>k</Key><Value>v&amp;w</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>' +
    '<Rule><ID>and</ID><Filter><And><Prefix>p/</Prefix><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>' +
    '<Rule><ID>abort</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>' +
    '</LifecycleConfiguration>');
  t.deepEqual(parseLifecycleConfiguration(await parseXmlBody(xml), options), rules);
});
