/**
 * POST Object, browser uploads: a policy signed as an application's backend signs it
 * (post-policy-signer.ts), posted with fetch + FormData from Node and from a page in headless
 * Chromium (fetch, and a plain HTML form with success_action_redirect), with the bucket's CORS
 * configured through PutBucketCors as a user would. Objects must read back byte-identical; every
 * refusal must carry S3's code and status, and leave no object (and, once collected, no shards).
 */
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { CreateBucketCommand, HeadObjectCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser } from 'playwright-core';
import { addedFiles, getObjectBytes, s3ErrorOf, seededBytes } from './cluster.ts';
import { signedPostFields, type PostPolicyOptions } from './post-policy-signer.ts';
import { useSharedCluster } from './shared-cluster.ts';

const CHROMIUM = '/usr/bin/chromium';
const BUCKET = 'uploads';
const FILE = seededBytes(200_000, 13);

let page: { server: Server; origin: string };
let browser: Browser;

const cluster = useSharedCluster(test, { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 4096, maxSegmentSize: 64 * 1024 }, async (started) => {
  page = await servePages();
  const s3 = started.s3();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutBucketCorsCommand({
    Bucket: BUCKET,
    CORSConfiguration: { CORSRules: [{ AllowedOrigins: [page.origin], AllowedMethods: ['POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Location'] }] },
  }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});

test.after.always(async () => {
  await browser?.close();
  await new Promise((resolve) => page?.server.close(resolve));
});

/** The uploader's site: an empty page to run scripts in, and the page a form upload lands on. */
function servePages(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const title = request.url?.startsWith('/done') ? 'uploaded' : 'uploader';
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>${title}</title></head><body></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }));
}

const md5 = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

function fieldsFor(options: Partial<PostPolicyOptions> & { key: string }): [string, string][] {
  return signedPostFields({ bucket: BUCKET, accessKeyId: cluster().accessKeyId, secretKey: cluster().secretKey, ...options });
}

/** Posts a form (fields, then the file last) from Node; status, headers, body text, and the error code if any. */
async function post(fields: [string, string][], file: Buffer | null, filename = 'clip.mp4') {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  if (file) form.append('file', new Blob([new Uint8Array(file)], { type: 'video/mp4' }), filename);
  const response = await fetch(`${cluster().gatewayUrl}/${BUCKET}`, { method: 'POST', body: form, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
}

test.serial('a signed form with ${filename}, Content-Type and metadata: 201 PostResponse, the object byte-identical', async (t) => {
  const fields = fieldsFor({
    key: 'videos/${filename}',
    conditions: [['starts-with', '$key', 'videos/'], ['eq', '$Content-Type', 'video/mp4'], { 'x-amz-meta-owner': 'créateur 7 €' },
      ['eq', '$success_action_status', '201'], ['content-length-range', 1, 1024 * 1024]],
    fields: { 'Content-Type': 'video/mp4', 'x-amz-meta-owner': 'créateur 7 €', success_action_status: '201' },
  });
  const answer = await post(fields, FILE, 'première.mp4');
  t.is(answer.status, 201, answer.text);
  const location = `${cluster().gatewayUrl}/${BUCKET}/videos/premi%C3%A8re.mp4`;
  t.is(answer.text, `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${location}</Location><Bucket>${BUCKET}</Bucket>`
    + `<Key>videos/première.mp4</Key><ETag>${md5(FILE).replaceAll('"', '&quot;')}</ETag></PostResponse>`);
  t.is(answer.headers.get('etag'), md5(FILE));
  t.is(answer.headers.get('location'), location);
  const s3 = cluster().s3();
  t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'videos/première.mp4' })).equals(FILE));
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'videos/première.mp4' }));
  t.like(head, { ContentType: 'video/mp4', Metadata: { owner: `=?UTF-8?B?${Buffer.from('créateur 7 €').toString('base64')}?=` }, ETag: md5(FILE), ContentLength: FILE.length, ServerSideEncryption: 'AES256' });
});

test.serial('success_action_status 200 and the default 204 answer empty with the ETag; 303 to success_action_redirect', async (t) => {
  const small = seededBytes(5000, 2);
  const ok = await post(fieldsFor({ key: 'a.bin', conditions: [{ key: 'a.bin' }, { success_action_status: '200' }], fields: { success_action_status: '200' } }), small);
  t.like(ok, { status: 200, text: '' });
  t.is(ok.headers.get('etag'), md5(small));
  const plain = await post(fieldsFor({ key: 'b.bin', conditions: [{ key: 'b.bin' }] }), small);
  t.like(plain, { status: 204, text: '' });
  const redirect = 'https://app.example.com/uploaded?from=form';
  const moved = await post(fieldsFor({ key: 'c d.bin', conditions: [{ key: 'c d.bin' }, ['starts-with', '$success_action_redirect', 'https://app.example.com/']], fields: { success_action_redirect: redirect } }), small);
  t.is(moved.status, 303);
  t.is(moved.headers.get('location'), `${redirect}&bucket=${BUCKET}&key=c+d.bin&etag=%22${md5(small).slice(1, -1)}%22`);
  for (const key of ['a.bin', 'b.bin', 'c d.bin']) t.true((await getObjectBytes(cluster().s3(), { Bucket: BUCKET, Key: key })).equals(small));
});

test.serial('a form file of at most --inline-max-bytes (length unknown until the form ends) is stored inline; one byte more goes to the nodes', async (t) => {
  const tiny = seededBytes(4096, 7);
  const over = seededBytes(4097, 8);
  let files = cluster().allShardFiles();
  const inline = await post(fieldsFor({ key: 'tiny.bin', conditions: [{ key: 'tiny.bin' }] }), tiny);
  t.like(inline, { status: 204 });
  t.is(inline.headers.get('etag'), md5(tiny));
  t.deepEqual(addedFiles(files, cluster().allShardFiles()), [], 'no shard written');
  files = cluster().allShardFiles();
  t.like(await post(fieldsFor({ key: 'over.bin', conditions: [{ key: 'over.bin' }] }), over), { status: 204 });
  t.true(addedFiles(files, cluster().allShardFiles()).length > 0, 'the first 4097 bytes held to decide, then streamed to the nodes');
  t.true((await getObjectBytes(cluster().s3(), { Bucket: BUCKET, Key: 'tiny.bin' })).equals(tiny));
  t.true((await getObjectBytes(cluster().s3(), { Bucket: BUCKET, Key: 'over.bin' })).equals(over));
});

test.serial('acl=public-read in the form makes that object readable by anyone; without it the object is private', async (t) => {
  const small = seededBytes(3000, 3);
  t.is((await post(fieldsFor({ key: 'open.bin', conditions: [{ key: 'open.bin' }, { acl: 'public-read' }], fields: { acl: 'public-read' } }), small)).status, 204);
  t.is((await post(fieldsFor({ key: 'closed.bin', conditions: [{ key: 'closed.bin' }] }), small)).status, 204);
  const open = await fetch(`${cluster().gatewayUrl}/${BUCKET}/open.bin`);
  t.is(open.status, 200);
  t.true(Buffer.from(await open.arrayBuffer()).equals(small), 'read anonymously, byte-identical');
  t.is((await fetch(`${cluster().gatewayUrl}/${BUCKET}/closed.bin`)).status, 403);
});

const refusals: [string, () => [string, string][], Buffer | null, number, string][] = [
  ['a key outside the policy', () => fieldsFor({ key: 'elsewhere/x', conditions: [['starts-with', '$key', 'videos/']] }), FILE, 403, 'AccessDenied'],
  ['a field the policy does not name', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }], fields: { 'x-amz-meta-extra': '1' } }), FILE, 403, 'AccessDenied'],
  ['an expired policy', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }], expiration: new Date(Date.now() - 1000) }), FILE, 403, 'AccessDenied'],
  ['a policy signed with another secret', () => signedPostFields({ bucket: BUCKET, accessKeyId: cluster().accessKeyId, secretKey: 'wrong', key: 'k', conditions: [{ key: 'k' }] }), FILE, 403, 'SignatureDoesNotMatch'],
  ['an unsigned form (no anonymous writes here)', () => [['key', 'k']], FILE, 403, 'AccessDenied'],
  ['no key field', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }] }).filter(([name]) => name !== 'key'), FILE, 400, 'InvalidArgument'],
  ['no file', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }] }), null, 400, 'IncorrectNumberOfFilesInPostRequest'],
  ['a file under content-length-range', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }, ['content-length-range', 300_000, 400_000]] }), FILE, 400, 'EntityTooSmall'],
  ['a canned ACL shardgate lacks', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }, { acl: 'authenticated-read' }], fields: { acl: 'authenticated-read' } }), FILE, 501, 'NotImplemented'],
  ['a checksum field', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }, { 'x-amz-checksum-sha256': 'AAAA' }], fields: { 'x-amz-checksum-sha256': 'AAAA' } }), FILE, 501, 'NotImplemented'],
  ['SSE-KMS', () => fieldsFor({ key: 'k', conditions: [{ key: 'k' }, { 'x-amz-server-side-encryption': 'aws:kms' }], fields: { 'x-amz-server-side-encryption': 'aws:kms' } }), FILE, 501, 'NotImplemented'],
];
for (const [name, fields, file, status, code] of refusals) {
  test.serial(`refused: ${name} → ${status} ${code}, no object`, async (t) => {
    const answer = await post(fields(), file);
    t.like(answer, { status, code });
    t.like(await s3ErrorOf(t, cluster().s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' }))), { status: 404 });
  });
}

test.serial('a broken body is MalformedPOSTRequest; another content type RequestIsNotMultiPartContent', async (t) => {
  const send = async (contentType: string, body: string) => {
    const response = await fetch(`${cluster().gatewayUrl}/${BUCKET}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, code: /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1] };
  };
  t.deepEqual(await send('multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--XyZ\r\nno disposition'), { status: 400, code: 'MalformedPOSTRequest' });
  t.deepEqual(await send('application/x-www-form-urlencoded', 'key=k'), { status: 400, code: 'RequestIsNotMultiPartContent' });
});

test.serial('past content-length-range the write stops at once: EntityTooLarge, no object, its shards collected', async (t) => {
  const before = cluster().allShardFiles();
  const big = seededBytes(600_000, 5);
  const answer = await post(fieldsFor({ key: 'big.bin', conditions: [{ key: 'big.bin' }, ['content-length-range', 0, 300_000]] }), big);
  t.like(answer, { status: 400, code: 'EntityTooLarge' });
  t.regex(answer.text, /<MaxSizeAllowed>300000<\/MaxSizeAllowed>/);
  t.like(await s3ErrorOf(t, cluster().s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }))), { status: 404 });
  const written = addedFiles(before, cluster().allShardFiles());
  t.true(written.length >= 3, `the write had committed whole segments before it stopped (${written.length} shard files)`);
  t.deepEqual(await cluster().waitUntilShardFilesGone(written, 30_000), [], 'every shard of the abandoned write is collected');
});

test.serial('a preflight for POST from the page origin is allowed by the bucket CORS rules; from another origin it is not', async (t) => {
  const preflight = (origin: string) => fetch(`${cluster().gatewayUrl}/${BUCKET}`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-requested-with' },
  });
  const allowed = await preflight(page.origin);
  t.is(allowed.status, 200);
  t.is(allowed.headers.get('access-control-allow-origin'), page.origin);
  t.is(allowed.headers.get('access-control-allow-methods'), 'POST');
  t.is(allowed.headers.get('access-control-allow-headers'), 'x-requested-with');
  t.is((await preflight('https://elsewhere.example')).status, 403);
});

test.serial('Chromium: fetch(FormData) from another origin gets the 201 PostResponse and the exposed ETag through CORS', async (t) => {
  const tab = await browser.newPage();
  t.teardown(() => tab.close());
  await tab.goto(`${page.origin}/`);
  const bytes = seededBytes(150_000, 21);
  const fields = fieldsFor({
    key: 'browser/${filename}', conditions: [['starts-with', '$key', 'browser/'], ['starts-with', '$Content-Type', 'video/'], { success_action_status: '201' }],
    fields: { 'Content-Type': 'video/webm', success_action_status: '201' },
  });
  const answer = await tab.evaluate(async ({ url, fields: formFields, base64 }) => {
    const form = new FormData();
    for (const [name, value] of formFields) form.append(name, value);
    form.append('file', new Blob([Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))], { type: 'video/webm' }), 'take 1.webm');
    const response = await fetch(url, { method: 'POST', body: form });
    return { status: response.status, etag: response.headers.get('etag'), text: await response.text() };
  }, { url: `${cluster().gatewayUrl}/${BUCKET}`, fields, base64: bytes.toString('base64') });
  t.is(answer.status, 201, answer.text);
  t.is(answer.etag, md5(bytes));
  t.regex(answer.text, /<Key>browser\/take 1\.webm<\/Key>/);
  t.true((await getObjectBytes(cluster().s3(), { Bucket: BUCKET, Key: 'browser/take 1.webm' })).equals(bytes));

  // A refusal is readable by the page too (CORS headers on errors): too large for its policy.
  const refused = await tab.evaluate(async ({ url, fields: formFields }) => {
    const form = new FormData();
    for (const [name, value] of formFields) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(70_000)]), 'big.bin');
    const response = await fetch(url, { method: 'POST', body: form });
    return { status: response.status, text: await response.text() };
  }, { url: `${cluster().gatewayUrl}/${BUCKET}`, fields: fieldsFor({ key: 'too-big', conditions: [{ key: 'too-big' }, ['content-length-range', 0, 65_536]] }) });
  t.is(refused.status, 400);
  t.regex(refused.text, /<Code>EntityTooLarge<\/Code>/);
});

test.serial('Chromium: a plain HTML form with a file input uploads and lands on success_action_redirect with bucket, key and etag', async (t) => {
  const tab = await browser.newPage();
  t.teardown(() => tab.close());
  await tab.goto(`${page.origin}/`);
  const bytes = seededBytes(120_000, 34);
  const fields = fieldsFor({
    key: 'forms/${filename}', conditions: [['starts-with', '$key', 'forms/'], ['starts-with', '$success_action_redirect', page.origin]],
    fields: { success_action_redirect: `${page.origin}/done` },
  });
  await tab.evaluate(({ action, fields: formFields }) => {
    const form = document.createElement('form');
    Object.assign(form, { method: 'POST', action, enctype: 'multipart/form-data' });
    for (const [name, value] of formFields) form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
    form.append(Object.assign(document.createElement('input'), { type: 'file', name: 'file', id: 'file' }));
    document.body.append(form);
  }, { action: `${cluster().gatewayUrl}/${BUCKET}`, fields });
  await tab.setInputFiles('#file', { name: 'clip.mp4', mimeType: 'video/mp4', buffer: bytes });
  await Promise.all([tab.waitForURL(`${page.origin}/done?**`), tab.evaluate(() => document.forms[0]!.submit())]);
  const landed = new URL(tab.url());
  t.deepEqual(Object.fromEntries(landed.searchParams), { bucket: BUCKET, key: 'forms/clip.mp4', etag: md5(bytes) });
  t.is(await tab.title(), 'uploaded');
  t.true((await getObjectBytes(cluster().s3(), { Bucket: BUCKET, Key: 'forms/clip.mp4' })).equals(bytes));
});
