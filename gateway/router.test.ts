/**
 * The router against the URL shapes of the S3 API reference and the S3 user guide ("Virtual
 * hosting of buckets": path-style, virtual-hosted-style, legacy global endpoint): each request
 * line + Host resolves to one operation, bucket and key.
 */
import test from 'ava';
import { S3Error } from '../src/s3/errors.ts';
import { resolveAddress } from './addressing.ts';
import { routeRequest } from './router.ts';

const DOMAINS = ['s3.us-east-1.amazonaws.com', 's3.eu-west-1.amazonaws.com', 's3.us-west-2.amazonaws.com', 's3.amazonaws.com', 'localhost'];

function route(requestLine: string, host: string | undefined): [string, string, string, string] {
  const [method, target] = requestLine.split(' ') as [string, string];
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  const address = resolveAddress(host, rawPath, DOMAINS);
  const resolved = routeRequest(method, address, query);
  return [resolved.operation, resolved.bucket, resolved.key, address.style];
}

const routes = test.macro({
  exec(t, requestLine: string, host: string | undefined, expected: [string, string, string, string]) {
    t.deepEqual(route(requestLine, host), expected);
  },
  title: (_title, requestLine: string, host: string | undefined) => `${requestLine} (Host: ${host ?? 'none'})`,
});

// User guide, "Examples": path-style with and without Host, virtual-hosted with dots in the bucket name.
test(routes, 'GET /example.com/homepage.html', 's3.us-east-1.amazonaws.com', ['GetObject', 'example.com', 'homepage.html', 'path']);
test(routes, 'GET /example.com/homepage.html', undefined, ['GetObject', 'example.com', 'homepage.html', 'path']);
test(routes, 'GET /homepage.html', 'DOC-EXAMPLE-BUCKET1.eu.s3.eu-west-1.amazonaws.com', ['GetObject', 'doc-example-bucket1.eu', 'homepage.html', 'virtual-hosted']);
test(routes, 'GET /puppy.png', 'amzn-s3-demo-bucket1.s3.us-west-2.amazonaws.com', ['GetObject', 'amzn-s3-demo-bucket1', 'puppy.png', 'virtual-hosted']);
test(routes, 'GET /DOC-EXAMPLE-BUCKET1/puppy.jpg', 's3.us-west-2.amazonaws.com', ['GetObject', 'DOC-EXAMPLE-BUCKET1', 'puppy.jpg', 'path']);
// Legacy global endpoint; the longest base domain wins over s3.amazonaws.com's suffixes.
test(routes, 'GET /photo.jpg', 'DOC-EXAMPLE-BUCKET1.s3.amazonaws.com', ['GetObject', 'doc-example-bucket1', 'photo.jpg', 'virtual-hosted']);
test(routes, 'GET /a', 'b.s3.us-east-1.amazonaws.com', ['GetObject', 'b', 'a', 'virtual-hosted']);
// The CNAME form (the whole Host is the bucket) is not supported: an unknown Host is path-style.
test(routes, 'GET /homepage.html', 'www.example.com', ['ListObjects', 'homepage.html', '', 'path']);
// A port, a trailing dot, an IP.
test(routes, 'PUT /movie.zip', 'videos.localhost:9000', ['PutObject', 'videos', 'movie.zip', 'virtual-hosted']);
test(routes, 'GET /k', 'videos.localhost.', ['GetObject', 'videos', 'k', 'virtual-hosted']);
test(routes, 'GET /videos/k', '127.0.0.1:9000', ['GetObject', 'videos', 'k', 'path']);
test(routes, 'GET /videos/k', '[::1]:9000', ['GetObject', 'videos', 'k', 'path']);
test(routes, 'GET /', 'localhost:9000', ['ListBuckets', '', '', 'path']);

// API reference request syntax, virtual-hosted (`Host: Bucket.s3.amazonaws.com`) and path-style.
test(routes, 'GET /', 's3.amazonaws.com', ['ListBuckets', '', '', 'path']);
test(routes, 'PUT /', 'bucket.s3.amazonaws.com', ['CreateBucket', 'bucket', '', 'virtual-hosted']);
test(routes, 'HEAD /', 'bucket.s3.amazonaws.com', ['HeadBucket', 'bucket', '', 'virtual-hosted']);
test(routes, 'DELETE /', 'bucket.s3.amazonaws.com', ['DeleteBucket', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?location', 'bucket.s3.amazonaws.com', ['GetBucketLocation', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?acl', 'bucket.s3.amazonaws.com', ['GetBucketAcl', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /?acl', 'bucket.s3.amazonaws.com', ['PutBucketAcl', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /bucket?acl', 's3.amazonaws.com', ['GetBucketAcl', 'bucket', '', 'path']);
test(routes, 'GET /?cors', 'bucket.s3.amazonaws.com', ['GetBucketCors', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /?cors', 'bucket.s3.amazonaws.com', ['PutBucketCors', 'bucket', '', 'virtual-hosted']);
test(routes, 'DELETE /?cors', 'bucket.s3.amazonaws.com', ['DeleteBucketCors', 'bucket', '', 'virtual-hosted']);
test(routes, 'DELETE /bucket?cors', 's3.amazonaws.com', ['DeleteBucketCors', 'bucket', '', 'path']);
test(routes, 'GET /?encryption', 'bucket.s3.amazonaws.com', ['GetBucketEncryption', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /bucket?encryption', 's3.amazonaws.com', ['PutBucketEncryption', 'bucket', '', 'path']);
test(routes, 'DELETE /?encryption', 'bucket.s3.amazonaws.com', ['DeleteBucketEncryption', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?versioning', 'bucket.s3.amazonaws.com', ['GetBucketVersioning', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?list-type=2&prefix=a%2F&delimiter=%2F', 'bucket.s3.amazonaws.com', ['ListObjectsV2', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?prefix=a&marker=b', 'bucket.s3.amazonaws.com', ['ListObjects', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /my%20image.jpg', 'bucket.s3.amazonaws.com', ['PutObject', 'bucket', 'my image.jpg', 'virtual-hosted']);
test(routes, 'GET /dir/sub%2Fkey%E2%82%AC?response-content-type=text%2Fplain', 'bucket.s3.amazonaws.com', ['GetObject', 'bucket', 'dir/sub/key€', 'virtual-hosted']);
test(routes, 'HEAD /bucket/a/b/c', 's3.amazonaws.com', ['HeadObject', 'bucket', 'a/b/c', 'path']);
test(routes, 'DELETE /k', 'bucket.s3.amazonaws.com', ['DeleteObject', 'bucket', 'k', 'virtual-hosted']);
// Tagging (API reference: PutObjectTagging `PUT /Key+?tagging`, GetBucketTagging `GET /?tagging`) and GetObjectAttributes.
test(routes, 'GET /?tagging', 'bucket.s3.amazonaws.com', ['GetBucketTagging', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /bucket?tagging', 's3.amazonaws.com', ['PutBucketTagging', 'bucket', '', 'path']);
test(routes, 'DELETE /?tagging', 'bucket.s3.amazonaws.com', ['DeleteBucketTagging', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /photos/a.jpg?tagging', 'bucket.s3.amazonaws.com', ['GetObjectTagging', 'bucket', 'photos/a.jpg', 'virtual-hosted']);
test(routes, 'PUT /bucket/a.jpg?tagging', 's3.amazonaws.com', ['PutObjectTagging', 'bucket', 'a.jpg', 'path']);
test(routes, 'DELETE /a.jpg?tagging=', 'bucket.s3.amazonaws.com', ['DeleteObjectTagging', 'bucket', 'a.jpg', 'virtual-hosted']);
test(routes, 'GET /bucket/movie.mp4?attributes', 's3.amazonaws.com', ['GetObjectAttributes', 'bucket', 'movie.mp4', 'path']);
// Bucket lifecycle (the SDKs' PutBucketLifecycleConfiguration / GetBucketLifecycleConfiguration / DeleteBucketLifecycle).
test(routes, 'GET /?lifecycle', 'bucket.s3.amazonaws.com', ['GetBucketLifecycleConfiguration', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /?lifecycle', 'bucket.s3.amazonaws.com', ['PutBucketLifecycleConfiguration', 'bucket', '', 'virtual-hosted']);
test(routes, 'DELETE /?lifecycle', 'bucket.s3.amazonaws.com', ['DeleteBucketLifecycle', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /bucket?lifecycle=', 's3.amazonaws.com', ['GetBucketLifecycleConfiguration', 'bucket', '', 'path']);
test(routes, 'PUT /bucket?lifecycle', 's3.amazonaws.com', ['PutBucketLifecycleConfiguration', 'bucket', '', 'path']);
// POST Object (API reference "PostObject": `POST / HTTP/1.1`, `Host: destinationBucket.s3.amazonaws.com`).
test(routes, 'POST /', 'examplebucket.s3.amazonaws.com', ['PostObject', 'examplebucket', '', 'virtual-hosted']);
test(routes, 'POST /examplebucket', 's3.amazonaws.com', ['PostObject', 'examplebucket', '', 'path']);
test(routes, 'POST /examplebucket/', '127.0.0.1:9000', ['PostObject', 'examplebucket', '', 'path']);
test(routes, 'POST /?delete', 'examplebucket.s3.amazonaws.com', ['DeleteObjects', 'examplebucket', '', 'virtual-hosted']);
// Bucket policies and object ACLs.
test(routes, 'GET /?policy', 'bucket.s3.amazonaws.com', ['GetBucketPolicy', 'bucket', '', 'virtual-hosted']);
test(routes, 'PUT /bucket?policy', 's3.amazonaws.com', ['PutBucketPolicy', 'bucket', '', 'path']);
test(routes, 'DELETE /?policy', 'bucket.s3.amazonaws.com', ['DeleteBucketPolicy', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /?policyStatus', 'bucket.s3.amazonaws.com', ['GetBucketPolicyStatus', 'bucket', '', 'virtual-hosted']);
test(routes, 'GET /my-image.jpg?acl', 'bucket.s3.amazonaws.com', ['GetObjectAcl', 'bucket', 'my-image.jpg', 'virtual-hosted']);
test(routes, 'PUT /bucket/a/b?acl', 's3.amazonaws.com', ['PutObjectAcl', 'bucket', 'a/b', 'path']);
// A key that starts with a slash survives virtual-hosted addressing.
test(routes, 'GET //leading', 'bucket.s3.amazonaws.com', ['GetObject', 'bucket', '/leading', 'virtual-hosted']);

const refused = test.macro({
  exec(t, requestLine: string, host: string | undefined, code: string) {
    const error = t.throws(() => route(requestLine, host));
    t.true(error instanceof S3Error);
    t.is(String((error as S3Error).code), code);
  },
  title: (_title, requestLine: string, host: string | undefined, code: string) => `${requestLine} (Host: ${host ?? 'none'}) → ${code}`,
});
// A sub-resource no rule claims must never fall through to a plainer operation.
test(refused, 'PUT /?logging', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'POST /?lifecycle', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'GET /k?lifecycle', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'PUT /?versioning', 'bucket.s3.amazonaws.com', 'NotImplemented');
// A bucket POST with a sub-resource shardgate lacks is not a browser upload.
test(refused, 'POST /?restore', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'POST /bucket?uploads', 's3.amazonaws.com', 'NotImplemented');
test(refused, 'POST /', 's3.amazonaws.com', 'MethodNotAllowed');
test(refused, 'PATCH /k', 'bucket.s3.amazonaws.com', 'MethodNotAllowed');
// ?tagging and ?attributes never fall through to PutObject, DeleteObject or a bucket operation.
test(refused, 'POST /k?tagging', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'PUT /k?attributes', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'GET /?attributes', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'PUT /k?tagging&acl', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'POST /?policy', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'PUT /?policyStatus', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'DELETE /k?acl', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'GET /k?policy', 'bucket.s3.amazonaws.com', 'NotImplemented');
test(refused, 'GET /%E0%A4%A', 'bucket.s3.amazonaws.com', 'InvalidArgument');
test(refused, 'GET /a%00b', 'bucket.s3.amazonaws.com', 'InvalidArgument');
test(refused, 'GET /bucket%00/k', 's3.amazonaws.com', 'InvalidArgument');
