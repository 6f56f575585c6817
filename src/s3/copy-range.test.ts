import test from 'ava';
import { S3Error } from './errors.ts';
import { parseCopySourceRange } from './range.ts';

test('x-amz-copy-source-range: bytes=first-last inside the source', (t) => {
  t.deepEqual(parseCopySourceRange('bytes=0-0', 5), { offset: 0, length: 1 });
  t.deepEqual(parseCopySourceRange('bytes=2-4', 5), { offset: 2, length: 3 });
  t.deepEqual(parseCopySourceRange(' bytes=0-4 ', 5), { offset: 0, length: 5 });
});

test('x-amz-copy-source-range: improper forms are InvalidArgument (ceph/s3-tests test_multipart_copy_improper_range)', (t) => {
  for (const header of ['0-2', 'bytes=0', 'bytes=hello-world', 'bytes=0-bar', 'bytes=hello-', 'bytes=0-2,3-5', 'bytes=-2', 'bytes=2-', 'bytes=3-2']) {
    const error = t.throws(() => parseCopySourceRange(header, 5), { instanceOf: S3Error }, header);
    t.like(error, { code: 'InvalidArgument', status: 400 });
  }
});

test('x-amz-copy-source-range: past the end is InvalidRange (test_multipart_copy_invalid_range)', (t) => {
  for (const [header, size] of [['bytes=0-21', 5], ['bytes=5-5', 5], ['bytes=0-0', 0]] as const) {
    t.is(t.throws(() => parseCopySourceRange(header, size), { instanceOf: S3Error })?.code, 'InvalidRange', header);
  }
});
