import test from 'ava';
import type { Tag } from '../meta/types.ts';
import { S3Error } from './errors.ts';
import { parseTaggingHeader, parseTaggingXml, taggingXml, validateTagSet } from './tagging.ts';
import { parseXmlBody } from './xml.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const tagXml = (key: string, value: string) => `<Tag><Key>${key}</Key><Value>${value}</Value></Tag>`;
const body = (tagSet: string) => `<Tagging xmlns="${NS}"><TagSet>${tagSet}</TagSet></Tagging>`;
const tags = (count: number, prefix = 'k'): Tag[] => Array.from({ length: count }, (_, index) => ({ key: `${prefix}${index}`, value: `v${index}` }));

/** The S3 error code (and message) a call throws, or 'ok'. */
function outcome(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

test('GetObjectTagging XML (golden), escaped, in stored order', (t) => {
  t.is(taggingXml([{ key: 'b&<', value: 'é "x"' }, { key: 'a', value: '' }]), '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<Tagging xmlns="${NS}"><TagSet><Tag><Key>b&amp;&lt;</Key><Value>é &quot;x&quot;</Value></Tag><Tag><Key>a</Key><Value></Value></Tag></TagSet></Tagging>`);
  t.is(taggingXml([]), `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${NS}"><TagSet></TagSet></Tagging>`);
});

test('Put*Tagging bodies parse in document order; our own output parses back', async (t) => {
  const parsed = parseTaggingXml(await parseXmlBody(body(tagXml('project', 'blue') + tagXml('empty', '') + tagXml(' spaced ', ' 日本 😀 '))), 'object');
  t.deepEqual(parsed, [{ key: 'project', value: 'blue' }, { key: 'empty', value: '' }, { key: ' spaced ', value: ' 日本 😀 ' }]);
  t.deepEqual(parseTaggingXml(await parseXmlBody(taggingXml(parsed)), 'object'), parsed);
  t.deepEqual(parseTaggingXml(await parseXmlBody(`<Tagging xmlns="${NS}"><TagSet/></Tagging>`), 'object'), []);
  t.deepEqual(parseTaggingXml(await parseXmlBody(`<Tagging><TagSet></TagSet></Tagging>`), 'bucket'), []);
});

const malformed = test.macro({
  async exec(t, xml: string) {
    const tree = await parseXmlBody(xml);
    t.regex(outcome(() => parseTaggingXml(tree, 'object')), /^MalformedXML/);
  },
  title: (title) => `MalformedXML: ${title}`,
});
test('another root', malformed, `<Tags><TagSet>${tagXml('a', 'b')}</TagSet></Tags>`);
test('no TagSet', malformed, '<Tagging></Tagging>');
test('two TagSets', malformed, `<Tagging><TagSet>${tagXml('a', 'b')}</TagSet><TagSet/></Tagging>`);
test('a Tag without Value', malformed, body('<Tag><Key>a</Key></Tag>'));
test('a Tag without Key', malformed, body('<Tag><Value>a</Value></Tag>'));
test('a Tag with two Keys', malformed, body('<Tag><Key>a</Key><Key>b</Key><Value>a</Value></Tag>'));
test('an unknown element in a Tag', malformed, body('<Tag><Key>a</Key><Value>b</Value><Other/></Tag>'));
test('an unknown element in the TagSet', malformed, body(`${tagXml('a', 'b')}<Other/>`));
test('a Key with children', malformed, body('<Tag><Key><b>a</b></Key><Value>b</Value></Tag>'));

test('S3 limits: InvalidTag for each; exactly at the limit is accepted', (t) => {
  const at128 = 'k'.repeat(128);
  const rows: [string, readonly Tag[], 'object' | 'bucket', string][] = [
    ['10 object tags', tags(10), 'object', 'ok'],
    ['11 object tags', tags(11), 'object', 'InvalidTag: Object tags cannot be greater than 10'],
    ['50 bucket tags', tags(50), 'bucket', 'ok'],
    ['51 bucket tags', tags(51), 'bucket', 'InvalidTag: Bucket tag count cannot be greater than 50'],
    ['no tags', [], 'object', 'ok'],
    ['key of 128 characters', [{ key: at128, value: '' }], 'object', 'ok'],
    ['key of 128 astral characters (256 UTF-16 units)', [{ key: '😀'.repeat(128), value: '' }], 'object', 'ok'],
    ['key of 129 characters', [{ key: `${at128}k`, value: '' }], 'object', 'InvalidTag: The TagKey you have provided is invalid'],
    ['empty key', [{ key: '', value: 'v' }], 'object', 'InvalidTag: The TagKey you have provided is invalid'],
    ['value of 256 characters', [{ key: 'k', value: 'é'.repeat(256) }], 'object', 'ok'],
    ['value of 257 characters', [{ key: 'k', value: 'v'.repeat(257) }], 'bucket', 'InvalidTag: The TagValue you have provided is invalid'],
    ['duplicate keys', [{ key: 'k', value: '1' }, { key: 'k', value: '2' }], 'object', 'InvalidTag: Cannot provide multiple Tags with the same key'],
    ['keys differing in case', [{ key: 'k', value: '1' }, { key: 'K', value: '2' }], 'object', 'ok'],
    ['aws: prefix', [{ key: 'aws:createdBy', value: 'x' }], 'object', 'InvalidTag: Your TagKey cannot be prefixed with aws:'],
    ['AWS: prefix', [{ key: 'AWS:x', value: 'x' }], 'bucket', 'InvalidTag: Your TagKey cannot be prefixed with aws:'],
    ['aws without colon', [{ key: 'aws-thing', value: 'x' }], 'object', 'ok'],
    ['U+0000 in a key', [{ key: 'a\u0000', value: 'x' }], 'object', 'InvalidTag: Tags may not contain the character U+0000'],
    ['U+0000 in a value', [{ key: 'k', value: '\u0000' }], 'bucket', 'InvalidTag: Tags may not contain the character U+0000'],
  ];
  for (const [name, set, owner, expected] of rows) t.is(outcome(() => validateTagSet(set, owner)), expected, name);
  const error = t.throws(() => validateTagSet([{ key: 'aws:x', value: 'y' }], 'object'), { instanceOf: S3Error });
  t.is(error.status, 400);
  t.deepEqual(error.extra, { TagKey: 'aws:x', TagValue: 'y' });
});

test('a body past the limits is InvalidTag, not MalformedXML', async (t) => {
  const eleven = body(tags(11).map((tag) => tagXml(tag.key, tag.value)).join(''));
  t.regex(outcome(() => parseTaggingXml(null, 'object')), /^MalformedXML/);
  const tree = await parseXmlBody(eleven);
  t.regex(outcome(() => parseTaggingXml(tree, 'object')), /^InvalidTag/);
  t.is(parseTaggingXml(tree, 'bucket').length, 11);
});

test('x-amz-tagging: URL query form, decoded as a form; limits as for PutObjectTagging', (t) => {
  t.deepEqual(parseTaggingHeader('project=blue&team=video%20ops&empty=&bare'), [
    { key: 'project', value: 'blue' }, { key: 'team', value: 'video ops' }, { key: 'empty', value: '' }, { key: 'bare', value: '' },
  ]);
  t.deepEqual(parseTaggingHeader('a+b=c+d&%C3%A9=%F0%9F%98%80&k%3D1=v%261'), [
    { key: 'a b', value: 'c d' }, { key: 'é', value: '😀' }, { key: 'k=1', value: 'v&1' },
  ]);
  t.deepEqual(parseTaggingHeader(''), []);
  t.regex(outcome(() => parseTaggingHeader('a=1&a=2')), /^InvalidTag: Cannot provide multiple/);
  t.regex(outcome(() => parseTaggingHeader(tags(11).map((tag) => `${tag.key}=${tag.value}`).join('&'))), /^InvalidTag: Object tags/);
  t.regex(outcome(() => parseTaggingHeader('aws%3Atag=1')), /^InvalidTag: Your TagKey/);
  t.regex(outcome(() => parseTaggingHeader('=value')), /^InvalidTag: The TagKey/);
});
