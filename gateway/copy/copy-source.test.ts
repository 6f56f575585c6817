import test from 'ava';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { checkCopySourceConditions } from '../objects/conditions.ts';
import { parseCopySource } from './copy-source.ts';

test('x-amz-copy-source: bucket/key, URL-encoded, optional leading slash, versionId=null', (t) => {
  t.deepEqual(parseCopySource('bucket/key'), { bucket: 'bucket', key: 'key' });
  t.deepEqual(parseCopySource('/bucket/dir/a%20b%2Bc.txt'), { bucket: 'bucket', key: 'dir/a b+c.txt' });
  t.deepEqual(parseCopySource('bucket/%E2%82%AC%3F?versionId=null'), { bucket: 'bucket', key: '€?' });
  t.deepEqual(parseCopySource('bucket/a/b/'), { bucket: 'bucket', key: 'a/b/' });
});

test('x-amz-copy-source: malformed values are InvalidArgument, other versions NoSuchVersion', (t) => {
  for (const value of ['', 'bucket', '/bucket', 'bucket/', '/', '//key', 'bucket/%E2%82']) {
    t.is(t.throws(() => parseCopySource(value), { instanceOf: S3Error })?.code, 'InvalidArgument', value);
  }
  t.is(t.throws(() => parseCopySource('bucket/key?versionId=3HL4kqtJlcpXroDTDmJ'), { instanceOf: S3Error })?.code, 'NoSuchVersion');
});

const version = {
  etag: '"abc"', createdAt: new Date(Date.UTC(2024, 0, 1, 12, 0, 0, 500)),
} as ObjectVersion;
const check = (headers: Readonly<Record<string, string | undefined>>) => () => checkCopySourceConditions(version, (name) => headers[name]);
const before = 'Mon, 01 Jan 2024 11:00:00 GMT';
const same = 'Mon, 01 Jan 2024 12:00:00 GMT';
const after = 'Mon, 01 Jan 2024 13:00:00 GMT';

test('x-amz-copy-source-if-*: holding conditions copy', (t) => {
  for (const headers of [
    {},
    { 'x-amz-copy-source-if-match': '"abc"' },
    { 'x-amz-copy-source-if-match': 'abc, "def"' },
    { 'x-amz-copy-source-if-match': '*' },
    { 'x-amz-copy-source-if-none-match': '"def"' },
    { 'x-amz-copy-source-if-modified-since': before },
    { 'x-amz-copy-source-if-unmodified-since': same },
    { 'x-amz-copy-source-if-match': '"abc"', 'x-amz-copy-source-if-unmodified-since': before },
    { 'x-amz-copy-source-if-modified-since': 'not a date' },
  ]) {
    t.notThrows(check(headers), JSON.stringify(headers));
  }
});

test('x-amz-copy-source-if-*: failing conditions are 412 PreconditionFailed, if-none-match over if-modified-since', (t) => {
  for (const headers of [
    { 'x-amz-copy-source-if-match': '"def"' },
    { 'x-amz-copy-source-if-none-match': '"abc"' },
    { 'x-amz-copy-source-if-none-match': '*' },
    { 'x-amz-copy-source-if-modified-since': same },
    { 'x-amz-copy-source-if-modified-since': after },
    { 'x-amz-copy-source-if-unmodified-since': before },
    { 'x-amz-copy-source-if-none-match': '"abc"', 'x-amz-copy-source-if-modified-since': before },
  ]) {
    const error = t.throws(check(headers), { instanceOf: S3Error }, JSON.stringify(headers));
    t.is(error?.code, 'PreconditionFailed');
    t.is(error?.status, 412);
  }
});
