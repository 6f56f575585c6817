import test from 'ava';
import { S3Error } from '../src/s3/errors.ts';
import { resolveRoute, type S3Operation } from './router.ts';

/**
 * Multipart, copy and multi-object delete requests as the S3 API reference shapes them
 * (method, path, query, the header that tells a copy from a put).
 */
const CASES: [string, string, string, Record<string, string>, S3Operation][] = [
  ['POST', '/bucket/my-movie.m2ts', 'uploads', {}, 'CreateMultipartUpload'],
  ['PUT', '/bucket/my-movie.m2ts', 'partNumber=1&uploadId=VCVsb2FkIElEIGZvciBlbZZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZR', {}, 'UploadPart'],
  ['PUT', '/bucket/my-movie.m2ts', 'uploadId=abc&partNumber=2', { 'x-amz-copy-source': '/src/key' }, 'UploadPartCopy'],
  ['POST', '/bucket/my-movie.m2ts', 'uploadId=abc', {}, 'CompleteMultipartUpload'],
  ['DELETE', '/bucket/my-movie.m2ts', 'uploadId=abc', {}, 'AbortMultipartUpload'],
  ['GET', '/bucket/my-movie.m2ts', 'uploadId=abc&max-parts=2&part-number-marker=1', {}, 'ListParts'],
  ['GET', '/bucket', 'uploads&max-uploads=3&key-marker=a&upload-id-marker=b', {}, 'ListMultipartUploads'],
  ['GET', '/bucket/', 'uploads&delimiter=/&prefix=photos/2006/', {}, 'ListMultipartUploads'],
  ['POST', '/bucket', 'delete', {}, 'DeleteObjects'],
  ['PUT', '/bucket/my-second-image.jpg', '', { 'x-amz-copy-source': '/bucket/my-image.jpg' }, 'CopyObject'],
  ['PUT', '/bucket/my-image.jpg', '', {}, 'PutObject'],
  ['GET', '/bucket/my-image.jpg', 'partNumber=3', {}, 'GetObject'],
  ['HEAD', '/bucket/my-image.jpg', 'partNumber=3', {}, 'HeadObject'],
  ['GET', '/bucket/my-image.jpg', '', {}, 'GetObject'],
];

for (const [method, path, query, headers, operation] of CASES) {
  test(`${method} ${path}?${query}${Object.keys(headers).length ? ' + copy source' : ''} → ${operation}`, (t) => {
    t.is(resolveRoute(method, path, new URLSearchParams(query), (name) => headers[name]).operation, operation);
  });
}

test('half a multipart sub-resource set is not mistaken for a plainer operation', (t) => {
  for (const [method, path, query] of [
    ['PUT', '/bucket/key', 'partNumber=1'],
    ['PUT', '/bucket/key', 'uploads'],
    ['POST', '/bucket/key', ''],
    ['DELETE', '/bucket/key', 'partNumber=1&uploadId=x'],
  ] as const) {
    const error = t.throws(() => resolveRoute(method, path, new URLSearchParams(query)), { instanceOf: S3Error });
    t.true(['NotImplemented', 'MethodNotAllowed'].includes(error?.code ?? ''), `${method} ${path}?${query}: ${error?.code}`);
  }
});
