/**
 * CORS: Put/Get/DeleteBucketCors with the SDK, preflight OPTIONS answered from the rules without
 * authentication, and CORS headers on actual responses (errors included) — what a browser player
 * or uploader needs from the gateway.
 */
import test from 'ava';
import {
  CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, S3Client,
  S3ServiceException, type CORSRule,
} from '@aws-sdk/client-s3';
import { useSharedCluster } from './shared-cluster.ts';

const ORIGIN = 'https://app.example.com';
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const RULES: CORSRule[] = [
  {
    ID: 'site', AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['GET', 'PUT'],
    AllowedHeaders: ['x-amz-*', 'content-type'], ExposeHeaders: ['ETag', 'x-amz-checksum-crc32'], MaxAgeSeconds: 600,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
];
const SITE_HEADERS = {
  'access-control-allow-origin': ORIGIN,
  'access-control-allow-credentials': 'true',
  'access-control-allow-methods': 'GET, PUT',
  'access-control-expose-headers': 'ETag, x-amz-checksum-crc32',
  'access-control-max-age': '600',
  vary: VARY,
};
const EVERYONE_HEADERS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'HEAD', vary: VARY };

const cluster = useSharedCluster(test, {}, async (started) => {
  const s3 = started.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'site', ACL: 'public-read' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));
  await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'player/index.m3u8', Body: '#EXTM3U\n' }));
  await s3.send(new PutBucketCorsCommand({ Bucket: 'site', CORSConfiguration: { CORSRules: RULES } }));
});

/** The status, the CORS headers (access-control-* and Vary) and the error code of a response. */
async function cors(method: string, path: string, headers: Record<string, string>): Promise<[number, Record<string, string>, string | undefined]> {
  const response = await fetch(`${cluster().gatewayUrl}${path}`, { method, headers });
  const picked = Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));
  const text = await response.text();
  return [response.status, picked, /<Code>([^<]*)<\/Code>/.exec(text)?.[1]];
}

const preflight = (origin?: string, method?: string, requestHeaders?: string) => ({
  ...(origin === undefined ? {} : { origin }),
  ...(method === undefined ? {} : { 'access-control-request-method': method }),
  ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
});

test.serial('Put, Get and DeleteBucketCors round-trip; no configuration is NoSuchCORSConfiguration', async (t) => {
  const s3 = cluster().s3();
  const stored = await s3.send(new GetBucketCorsCommand({ Bucket: 'site' }));
  t.deepEqual(stored.CORSRules, [
    { ...RULES[0], AllowedHeaders: ['x-amz-*', 'content-type'] },
    { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
  ]);
  const missing = await t.throwsAsync(s3.send(new GetBucketCorsCommand({ Bucket: 'no-cors' })));
  t.is((missing as S3ServiceException).name, 'NoSuchCORSConfiguration');
  t.is((missing as S3ServiceException).$metadata.httpStatusCode, 404);

  await s3.send(new PutBucketCorsCommand({ Bucket: 'no-cors', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] } }));
  t.is((await s3.send(new GetBucketCorsCommand({ Bucket: 'no-cors' }))).CORSRules?.length, 1);
  await s3.send(new DeleteBucketCorsCommand({ Bucket: 'no-cors' }));
  await s3.send(new DeleteBucketCorsCommand({ Bucket: 'no-cors' }));
  t.is(((await t.throwsAsync(s3.send(new GetBucketCorsCommand({ Bucket: 'no-cors' })))) as S3ServiceException).name, 'NoSuchCORSConfiguration');
});

test.serial('PutBucketCors refuses what S3 refuses, and keeps the old rules', async (t) => {
  const s3 = cluster().s3();
  const refused = async (rules: CORSRule[], client: S3Client = s3) => {
    const error = await t.throwsAsync(client.send(new PutBucketCorsCommand({ Bucket: 'site', CORSConfiguration: { CORSRules: rules } })));
    return [(error as S3ServiceException).name, (error as S3ServiceException).$metadata.httpStatusCode, (error as Error).message];
  };
  t.deepEqual(await refused([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]),
    ['InvalidRequest', 400, 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH']);
  t.deepEqual(await refused([]), ['MalformedXML', 400, 'The XML that you provided was not well formed or did not validate against our published schema.']);
  // Without Content-MD5 or a checksum (the SDK always sends one; strip it before signing).
  const bare = cluster().s3();
  const stripIntegrityHeaders = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    const headers = (args as { request: { headers: Record<string, string> } }).request.headers;
    for (const name of Object.keys(headers)) if (/^(content-md5|x-amz-checksum-|x-amz-sdk-checksum-)/i.test(name)) delete headers[name];
    return next(args);
  };
  bare.middlewareStack.addRelativeTo(stripIntegrityHeaders as unknown as Parameters<typeof bare.middlewareStack.addRelativeTo>[0], {
    relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'stripIntegrityHeaders',
  });
  t.deepEqual(await refused([{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }], bare),
    ['InvalidRequest', 400, 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*']);
  t.is((await s3.send(new GetBucketCorsCommand({ Bucket: 'site' }))).CORSRules?.length, 2, 'unchanged');
});

test.serial('preflight: the matching rule\'s headers, no credentials needed', async (t) => {
  t.deepEqual(await cors('OPTIONS', '/site/player/index.m3u8', preflight(ORIGIN, 'GET')), [200, SITE_HEADERS, undefined]);
  t.deepEqual(await cors('OPTIONS', '/site/upload.ts', preflight(ORIGIN, 'PUT', 'Content-Type, X-Amz-Meta-Name')),
    [200, { ...SITE_HEADERS, 'access-control-allow-headers': 'content-type, x-amz-meta-name' }, undefined]);
  t.deepEqual(await cors('OPTIONS', '/site', preflight(ORIGIN, 'GET')), [200, SITE_HEADERS, undefined]);
  t.deepEqual(await cors('OPTIONS', '/site/any/key', preflight('null', 'HEAD')), [200, EVERYONE_HEADERS, undefined]);
});

test.serial('preflight refusals: 403 AccessForbidden as S3 answers, 400 for a malformed preflight', async (t) => {
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight(ORIGIN, 'DELETE')), [403, {}, 'AccessForbidden']);
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight('https://example.org', 'GET')), [403, {}, 'AccessForbidden']);
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight(ORIGIN, 'GET', 'authorization')), [403, {}, 'AccessForbidden']);
  t.deepEqual(await cors('OPTIONS', '/no-cors/k', preflight(ORIGIN, 'GET')), [403, {}, 'AccessForbidden']);
  t.deepEqual(await cors('OPTIONS', '/missing-bucket/k', preflight(ORIGIN, 'GET')), [403, {}, 'AccessForbidden']);
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight(undefined, 'GET')), [400, {}, 'BadRequest']);
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight(ORIGIN)), [400, {}, 'BadRequest']);
  t.deepEqual(await cors('OPTIONS', '/site/k', preflight(ORIGIN, 'PATCH')), [400, {}, 'BadRequest']);
  const response = await fetch(`${cluster().gatewayUrl}/no-cors/k`, { method: 'OPTIONS', headers: preflight(ORIGIN, 'PUT') });
  const text = await response.text();
  t.regex(text, /<Message>CORSResponse: CORS is not enabled for this bucket\.<\/Message><Method>PUT<\/Method><ResourceType>OBJECT<\/ResourceType>/);
  const bucketLevel = await (await fetch(`${cluster().gatewayUrl}/site`, { method: 'OPTIONS', headers: preflight('https://example.org', 'GET') })).text();
  t.regex(bucketLevel, /<Message>CORSResponse: This CORS request is not allowed\. .*<\/Message><Method>GET<\/Method><ResourceType>BUCKET<\/ResourceType>/);
});

test.serial('actual responses carry the rule\'s headers, errors too; no match, no CORS headers at all', async (t) => {
  const key = '/site/player/index.m3u8';
  t.deepEqual(await cors('GET', key, { origin: ORIGIN }), [200, SITE_HEADERS, undefined]);
  t.deepEqual(await cors('HEAD', key, { origin: 'https://example.org' }), [200, EVERYONE_HEADERS, undefined]);
  t.deepEqual(await cors('GET', key, { origin: 'https://example.org' }), [200, {}, undefined]);
  t.deepEqual(await cors('GET', key, {}), [200, {}, undefined]);
  t.deepEqual(await cors('GET', '/site/missing', { origin: ORIGIN }), [404, SITE_HEADERS, 'NoSuchKey']);
  t.deepEqual(await cors('PUT', '/site/anonymous-write', { origin: ORIGIN }), [403, SITE_HEADERS, 'AccessDenied']);
  t.deepEqual(await cors('DELETE', key, { origin: ORIGIN }), [403, {}, 'AccessDenied']);
  // S3 takes the method from Access-Control-Request-Method when the request carries it.
  t.deepEqual(await cors('DELETE', key, { origin: ORIGIN, 'access-control-request-method': 'GET' }), [403, SITE_HEADERS, 'AccessDenied']);
  t.deepEqual(await cors('GET', '/no-cors', { origin: ORIGIN }), [403, {}, 'AccessDenied']);

  const expose = await fetch(`${cluster().gatewayUrl}${key}`, { headers: { origin: ORIGIN } });
  t.truthy(expose.headers.get('etag'));
  t.true(expose.headers.get('access-control-expose-headers')!.split(', ').includes('ETag'), 'scripts may read the ETag');
  await expose.arrayBuffer();
});

test.serial('a signed SDK request with Origin gets the headers too', async (t) => {
  const s3 = cluster().s3();
  let seen: Record<string, string> = {};
  const addOrigin = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    (args as { request: { headers: Record<string, string> } }).request.headers.origin = ORIGIN;
    const result = await next(args) as { response: { headers: Record<string, string> } };
    seen = result.response.headers;
    return result;
  };
  s3.middlewareStack.addRelativeTo(addOrigin as unknown as Parameters<typeof s3.middlewareStack.addRelativeTo>[0], {
    relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'addOrigin',
  });
  const put = await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'signed-upload', Body: 'from the browser' }));
  t.truthy(put.ETag);
  t.is(seen['access-control-allow-origin'], ORIGIN);
  t.is(seen.vary, VARY);
});
