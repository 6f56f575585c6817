import test from 'ava';
import type { RequestClass } from '../meta/usage-types.ts';
import { isBilledStatus, requestClassOf } from './request-class.ts';

const classifies = test.macro({
  exec(t, method: string, operation: string | undefined, expected: RequestClass) {
    t.is(requestClassOf(method, operation), expected);
  },
  title: (_, method: string, operation: string | undefined, expected: RequestClass) => `${method} ${operation ?? '(unrouted)'} is ${expected}`,
});

test(classifies, 'PUT', 'PutObject', 'write');
test(classifies, 'PUT', 'CreateBucket', 'write');
test(classifies, 'PUT', 'CopyObject', 'write');
test(classifies, 'PUT', 'UploadPart', 'write');
test(classifies, 'POST', 'CreateMultipartUpload', 'write');
test(classifies, 'POST', 'CompleteMultipartUpload', 'write');
test(classifies, 'POST', 'PostObject', 'write');
test(classifies, 'GET', 'ListBuckets', 'write');
test(classifies, 'GET', 'ListObjects', 'write');
test(classifies, 'GET', 'ListObjectsV2', 'write');
test(classifies, 'GET', 'ListParts', 'write');
test(classifies, 'GET', 'ListMultipartUploads', 'write');
test(classifies, 'GET', 'GetObject', 'read');
test(classifies, 'HEAD', 'HeadObject', 'read');
test(classifies, 'HEAD', 'HeadBucket', 'read');
test(classifies, 'GET', 'GetBucketLocation', 'read');
test(classifies, 'OPTIONS', undefined, 'read');
test(classifies, 'DELETE', 'DeleteObject', 'free');
test(classifies, 'DELETE', 'DeleteBucket', 'free');
test(classifies, 'DELETE', 'AbortMultipartUpload', 'free');
test(classifies, 'POST', 'DeleteObjects', 'free');
// Tagging and attributes: S3 prices Put*Tagging as PUT requests, Get* as GET, Delete* as free DELETEs.
test(classifies, 'PUT', 'PutObjectTagging', 'write');
test(classifies, 'PUT', 'PutBucketTagging', 'write');
test(classifies, 'GET', 'GetObjectTagging', 'read');
test(classifies, 'GET', 'GetBucketTagging', 'read');
test(classifies, 'GET', 'GetObjectAttributes', 'read');
test(classifies, 'DELETE', 'DeleteObjectTagging', 'free');
test(classifies, 'DELETE', 'DeleteBucketTagging', 'free');
test(classifies, 'put', undefined, 'write');
test(classifies, 'delete', undefined, 'free');

test('2xx, 3xx and 4xx are billed, 5xx are not', (t) => {
  for (const status of [200, 204, 206, 304, 400, 403, 404, 416, 499]) t.true(isBilledStatus(status), String(status));
  for (const status of [500, 501, 503]) t.false(isBilledStatus(status), String(status));
});
