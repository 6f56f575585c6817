/**
 * Archived HLS end to end on one real cluster: `archive pack --upload` and `archive ls` over S3,
 * members by path (types, ETag, Range), `?range=`, ZIPs made by other tools, the error cases, and
 * finally the same reads with two shard nodes killed.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException,
} from '@aws-sdk/client-s3';
import { openFileSource } from '../src/archive/file-source.ts';
import { readMemberDataSpan, readZipDirectory, ZipIndex } from '../src/archive/zip-reader.ts';
import { TestCluster } from './cluster.ts';
import { decodeFrames, FIXTURES, framesPerStream, playsWithoutError, shardgate, signedFetch } from './hls-helpers.ts';

const BUCKET = 'hls';
const STREAM = `${FIXTURES}stream/`;
const CHUNK = 16 * 1024;
const PUBLIC_BUCKET = 'hls-public';

let cluster: TestCluster;
/** ffmpeg's per-frame CRCs of the fixture stream read from the local folder. */
let localFrames: string[];

test.before(async () => {
  // Small chunks and 256 KiB segments: the half-megabyte archive spans several stripes and
  // segments, so members cross both.
  cluster = new TestCluster({ chunkSize: CHUNK, maxSegmentSize: 4 * CHUNK * 4 });
  await cluster.startGateway();
  for (let index = 0; index < cluster.nodeCount; index++) await cluster.startNode(index);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  await cluster.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const packed = await shardgate(cluster, ['archive', 'pack', STREAM, '--upload', `s3://${BUCKET}/movie.zip`]);
  if (packed.code !== 0) throw new Error(`pack --upload failed: ${packed.stderr}`);
  localFrames = await decodeFrames(`${STREAM}master.m3u8`);
  for (const name of ['info-zip.zip', 'python-zipfile.zip', 'deflated.zip']) {
    await cluster.s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: name, Body: readFileSync(`${FIXTURES}${name}`) }));
  }
});

test.after.always(() => cluster?.close());

/** Every file of the fixture stream, by relative path. */
function streamFiles(dir = STREAM, prefix = ''): string[] {
  return readdirSync(dir).sort().flatMap((name) => (statSync(path.join(dir, name)).isDirectory()
    ? streamFiles(path.join(dir, name), `${prefix}${name}/`)
    : [`${prefix}${name}`]));
}

async function getMember(key: string, Range?: string) {
  const response = await cluster.s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range }));
  return { response, bytes: Buffer.from(await response.Body!.transformToByteArray()) };
}

async function s3ErrorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as S3ServiceException;
  }
  throw new Error('expected an S3 error');
}

test.serial('pack --upload prints one summary line; ls lists the object over S3 exactly as the local file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-hls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const local = await shardgate(cluster, ['archive', 'pack', STREAM, path.join(dir, 'movie.zip')]);
  t.is(local.code, 0, local.stderr);
  t.regex(local.stdout, /^packed 26 files \(5 playlists \+ 10 rewritten\) into .*movie\.zip: \d+ bytes \(0\.5 MB\) in [\d.]+ s\n$/);
  t.is(local.stderr, '', 'no progress bar without a terminal');
  const overS3 = await shardgate(cluster, ['archive', 'ls', `s3://${BUCKET}/movie.zip`]);
  const fromFile = await shardgate(cluster, ['archive', 'ls', path.join(dir, 'movie.zip')]);
  t.is(overS3.code, 0, overS3.stderr);
  t.is(overS3.stdout, fromFile.stdout);
  t.regex(overS3.stdout, /^ +offset +size +crc32 +name\n +41 +621 +4893ad78 +master\.m3u8\n/);
  t.regex(overS3.stdout, /\n36 members, \d+ bytes, central directory \d+ bytes at \d+\n$/);
});

test.serial('archive verify reads every member through the gateway and checks its CRC-32; a flipped byte is named', async (t) => {
  const overS3 = await shardgate(cluster, ['archive', 'verify', `s3://${BUCKET}/movie.zip`]);
  t.is(overS3.code, 0, overS3.stderr);
  t.regex(overS3.stdout, new RegExp(`^verified 36 members of s3://${BUCKET}/movie\\.zip: \\d+ bytes \\([\\d.]+ MB\\) in [\\d.]+ s, every CRC-32 matches\\n$`));
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-verify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const damaged = path.join(dir, 'damaged.zip');
  const bytes = readFileSync(`${FIXTURES}packed.zip`);
  const source = await openFileSource(`${FIXTURES}packed.zip`);
  const index = new ZipIndex(await readZipDirectory(source));
  const victim = index.entries.find((entry) => entry.name.endsWith('seg_002.m4s'))!;
  const span = await readMemberDataSpan(source, victim, index.dataEnd);
  await source.close();
  bytes[span.offset + Math.floor(span.length / 2)]! ^= 0x40;
  writeFileSync(damaged, bytes);
  const result = await shardgate(cluster, ['archive', 'verify', damaged]);
  t.is(result.code, 1);
  t.regex(result.stdout, new RegExp(`^BAD ${victim.name.replace(/\./g, '\\.')}: CRC-32 [0-9a-f]{8}, the central directory says ${victim.crc32.toString(16).padStart(8, '0')}\\n1 of \\d+ members of .*damaged\\.zip do not match their CRC-32\\n$`));
  const compressed = await shardgate(cluster, ['archive', 'verify', `s3://${BUCKET}/deflated.zip`]);
  t.is(compressed.code, 1);
  t.regex(compressed.stderr, /^shardgate archive verify: member "master\.m3u8" is compressed/);
});

test.serial('CLI errors are one line: compressed members, missing objects, bad arguments', async (t) => {
  const compressed = await shardgate(cluster, ['archive', 'ls', `s3://${BUCKET}/deflated.zip`]);
  t.is(compressed.code, 1);
  t.is(compressed.stderr, 'shardgate archive ls: member "master.m3u8" is compressed (method 8); only stored (method 0) members can be served, pack with "zip -0" or "shardgate archive pack"\n');
  const missing = await shardgate(cluster, ['archive', 'ls', `s3://${BUCKET}/nothing.zip`]);
  t.is(missing.code, 1);
  t.is(missing.stderr, `shardgate archive ls: HEAD s3://${BUCKET}/nothing.zip: 404 not found\n`);
  const usage = await shardgate(cluster, ['archive', 'pack', STREAM]);
  t.is(usage.code, 2);
  t.is(usage.stderr, 'shardgate archive pack: give an output file <out.zip>, --upload s3://bucket/key, or both\n');
  const badName = await shardgate(cluster, ['archive', 'pack', STREAM, '--upload', `s3://${BUCKET}/movie.bin`]);
  t.is(badName.code, 2);
  t.regex(badName.stderr, /^shardgate archive pack: the archive name "movie\.bin" must end in \.zip/);
});

test.serial('every member by path: the file\'s bytes, its content type, ETag and Last-Modified', async (t) => {
  const types: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', m4s: 'video/iso.segment', mp4: 'video/mp4', vtt: 'text/vtt', jpg: 'image/jpeg' };
  const archive = await cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'movie.zip' }));
  // A member's HEAD needs only the central directory (its ETag names the local header's offset):
  // once the directory is cached, a HEAD of a member never read reads no shard.
  await cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'movie.zip/master.m3u8' }));
  const shardReadsBefore = (await cluster.metrics()).shardReads;
  await cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'movie.zip/360p/seg_003.m4s' }));
  t.is((await cluster.metrics()).shardReads, shardReadsBefore, 'a member HEAD read no shard');
  for (const file of streamFiles()) {
    const { response, bytes } = await getMember(`movie.zip/${file}`);
    t.true(bytes.equals(readFileSync(`${STREAM}${file}`)), file);
    t.is(response.ContentType, types[file.split('.').pop()!], file);
    t.is(response.ContentLength, bytes.length);
    t.regex(response.ETag!, /^"[0-9a-f]{32}"$/);
    t.deepEqual(response.LastModified, archive.LastModified);
  }
  const head = await cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'movie.zip/360p/seg_001.m4s' }));
  const get = await getMember('movie.zip/360p/seg_001.m4s');
  t.is(head.ContentLength, statSync(`${STREAM}360p/seg_001.m4s`).size);
  t.is(head.ETag, get.response.ETag);
  t.is(head.ContentType, 'video/iso.segment');
});

test.serial('Range inside a member: 206 with a Content-Range relative to the member; 416 past its end', async (t) => {
  const file = readFileSync(`${STREAM}360p/seg_002.m4s`);
  const { response, bytes } = await getMember('movie.zip/360p/seg_002.m4s', 'bytes=1000-40999');
  t.is(response.$metadata.httpStatusCode, 206);
  t.is(response.ContentRange, `bytes 1000-40999/${file.length}`);
  t.is(response.ServerSideEncryption, 'AES256', 'a member is stored encrypted, and says so');
  t.true(bytes.equals(file.subarray(1000, 41000)));
  const suffix = await getMember('movie.zip/360p/seg_002.m4s', 'bytes=-100');
  t.true(suffix.bytes.equals(file.subarray(file.length - 100)));
  const error = await s3ErrorOf(getMember('movie.zip/360p/seg_002.m4s', `bytes=${file.length}-`));
  t.is(error.$metadata.httpStatusCode, 416);
  t.is(error.name, 'InvalidRange');
});

test.serial('conditional member reads: If-None-Match with the member ETag is 304', async (t) => {
  const { response } = await getMember('movie.zip/master.m3u8');
  const again = await signedFetch(cluster, `/${BUCKET}/movie.zip/master.m3u8`, { headers: { 'if-none-match': response.ETag! } });
  t.is(again.status, 304);
  const other = await signedFetch(cluster, `/${BUCKET}/movie.zip/master.m3u8`, { headers: { 'if-none-match': '"0000"' } });
  t.is(other.status, 200);
});

test.serial('?range=<offset>,<length>: exactly those bytes of the archive, 200 with Content-Length', async (t) => {
  const archive = Buffer.from(await (await signedFetch(cluster, `/${BUCKET}/movie.zip`)).arrayBuffer());
  for (const [offset, length] of [[0, 1], [41, 621], [100_000, 200_000], [archive.length - 22, 22], [archive.length, 0]] as const) {
    const response = await signedFetch(cluster, `/${BUCKET}/movie.zip?range=${offset},${length}`);
    t.is(response.status, 200);
    t.is(response.headers.get('content-length'), String(length));
    t.is(response.headers.get('x-amz-server-side-encryption'), 'AES256');
    t.true(Buffer.from(await response.arrayBuffer()).equals(archive.subarray(offset, offset + length)), `${offset},${length}`);
  }
  const ranged = await signedFetch(cluster, `/${BUCKET}/movie.zip?range=1000,500`, { headers: { range: 'bytes=10-19' } });
  t.is(ranged.status, 206);
  t.is(ranged.headers.get('content-range'), 'bytes 10-19/500');
  t.true(Buffer.from(await ranged.arrayBuffer()).equals(archive.subarray(1010, 1020)));
  const past = await signedFetch(cluster, `/${BUCKET}/movie.zip?range=${archive.length - 10},11`);
  t.is(past.status, 416);
  t.is(past.headers.get('content-range'), `bytes */${archive.length}`);
  t.regex(await past.text(), /<Code>InvalidRange<\/Code>/);
  const malformed = await signedFetch(cluster, `/${BUCKET}/movie.zip?range=10-20`);
  t.is(malformed.status, 400);
  t.regex(await malformed.text(), /<Code>InvalidArgument<\/Code>/);
});

test.serial('an exact key always wins over a member path', async (t) => {
  const s3 = cluster.s3();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'movie.zip/cover.jpg', Body: 'a real object', ContentType: 'text/plain' }));
  const exact = await getMember('movie.zip/cover.jpg');
  t.is(exact.bytes.toString(), 'a real object');
  t.is(exact.response.ContentType, 'text/plain');
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'movie.zip/cover.jpg' }));
  t.true((await getMember('movie.zip/cover.jpg')).bytes.equals(readFileSync(`${STREAM}cover.jpg`)));
});

test.serial('ZIPs made by Info-ZIP (zip -0) and Python\'s zipfile serve their members too', async (t) => {
  for (const archive of ['info-zip.zip', 'python-zipfile.zip']) {
    for (const file of ['master.m3u8', '180p/seg_004.m4s', 'subs/subs.vtt', 'cover.jpg']) {
      t.true((await getMember(`${archive}/${file}`)).bytes.equals(readFileSync(`${STREAM}${file}`)), `${archive}/${file}`);
    }
  }
  const directory = await s3ErrorOf(getMember('info-zip.zip/360p/'));
  t.is(directory.name, 'NoSuchKey', 'a directory entry is not a member');
});

test.serial('errors: missing member 404 NoSuchKey; compressed member 400 naming it; not a ZIP or truncated 400 InvalidArchive', async (t) => {
  const s3 = cluster.s3();
  const missing = await s3ErrorOf(getMember('movie.zip/720p/index.m3u8'));
  t.is(missing.$metadata.httpStatusCode, 404);
  t.is(missing.name, 'NoSuchKey');
  const noArchive = await s3ErrorOf(getMember('nothing.zip/master.m3u8'));
  t.is(noArchive.name, 'NoSuchKey');

  const compressed = await signedFetch(cluster, `/${BUCKET}/deflated.zip/360p/index.m3u8`);
  t.is(compressed.status, 400);
  const body = await compressed.text();
  t.regex(body, /<Code>UnsupportedArchiveMember<\/Code>/);
  t.regex(body, /<Message>deflated\.zip: member &quot;360p\/index\.m3u8&quot; is compressed \(method 8\);|<Message>deflated\.zip: member "360p\/index\.m3u8" is compressed \(method 8\);/);
  t.regex(body, /<Member>360p\/index\.m3u8<\/Member>/);

  const packed = readFileSync(`${FIXTURES}packed.zip`);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'truncated.zip', Body: packed.subarray(0, packed.length - 100) }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'noise.zip', Body: Buffer.alloc(200_000, 0x5a) }));
  for (const key of ['truncated.zip', 'noise.zip', 'noise.zip']) {
    const response = await signedFetch(cluster, `/${BUCKET}/${key}/master.m3u8`);
    t.is(response.status, 400, key);
    const text = await response.text();
    t.regex(text, /<Code>InvalidArchive<\/Code>/);
    t.regex(text, new RegExp(`<Message>${key.replace('.', '\\.')}: corrupt or truncated ZIP: `));
  }
});

function presign(key: string, expiresIn = 900): Promise<string> {
  return getSignedUrl(cluster.s3(), new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn });
}

test.serial('the local stream decodes to 2 × 250 video frames and 2 × 470 audio frames', (t) => {
  t.deepEqual(Object.values(framesPerStream(localFrames)).sort(), [250, 250, 470, 470]);
});

test.serial('ffmpeg plays (a) one presigned link to master.m3u8 by member path: every frame, as from the folder', async (t) => {
  const url = await presign('movie.zip/master.m3u8');
  t.deepEqual(await decodeFrames(url), localFrames);
  t.deepEqual(await playsWithoutError(url), { code: 0, stdout: '', stderr: '' });
});

test.serial('ffmpeg plays (b) the rewritten byte-range playlist, and the ?range= link form, from one presigned link each', async (t) => {
  t.deepEqual(await decodeFrames(await presign('movie.zip/_byterange/master.m3u8')), localFrames);
  t.deepEqual(await decodeFrames(await presign('movie.zip/_range/master.m3u8')), localFrames);
});

test.serial('ffmpeg plays (c) from a public-read bucket with no credentials, all three forms', async (t) => {
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: PUBLIC_BUCKET, ACL: 'public-read' }));
  const packed = await shardgate(cluster, ['archive', 'pack', STREAM, '--upload', `s3://${PUBLIC_BUCKET}/movie.zip`]);
  t.is(packed.code, 0, packed.stderr);
  const base = `${cluster.gatewayUrl}/${PUBLIC_BUCKET}/movie.zip`;
  const anonymous = await fetch(`${base}/master.m3u8`);
  t.is(anonymous.status, 200);
  t.is(await anonymous.text(), readFileSync(`${STREAM}master.m3u8`, 'utf8'), 'no token added without a presigned URL');
  for (const master of ['master.m3u8', '_byterange/master.m3u8', '_range/master.m3u8']) {
    t.deepEqual(await decodeFrames(`${base}/${master}`), localFrames, master);
  }
  t.deepEqual(await playsWithoutError(`${base}/master.m3u8`), { code: 0, stdout: '', stderr: '' });
});

test.serial('a presigned playlist hands out tokens for that archive only: other keys, listings and writes stay closed', async (t) => {
  const master = await fetch(await presign('movie.zip/master.m3u8'));
  t.is(master.status, 200);
  const text = await master.text();
  const uris = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  t.is(uris.length, 3);
  t.true(uris.every((uri) => /\?X-Shardgate-Token=[^&]+$/.test(uri)), text);
  t.regex(text, /URI="audio\/index\.m3u8\?X-Shardgate-Token=/);
  const token = /X-Shardgate-Token=([^&"\s]+)/.exec(text)![1]!;
  const withToken = (pathAndKey: string) => `${cluster.gatewayUrl}/${pathAndKey}${pathAndKey.includes('?') ? '&' : '?'}X-Shardgate-Token=${token}`;

  const media = await fetch(withToken(`${BUCKET}/movie.zip/360p/index.m3u8`));
  t.is(media.status, 200);
  t.regex(await media.text(), /\nseg_000\.m4s\?X-Shardgate-Token=/);
  const segment = await fetch(withToken(`${BUCKET}/movie.zip/360p/seg_000.m4s`));
  t.true(Buffer.from(await segment.arrayBuffer()).equals(readFileSync(`${STREAM}360p/seg_000.m4s`)));
  const archiveRange = await fetch(withToken(`${BUCKET}/movie.zip`), { headers: { range: 'bytes=0-3' } });
  t.is(archiveRange.status, 206);
  t.is(Buffer.from(await archiveRange.arrayBuffer()).toString('latin1'), 'PK\x03\x04');

  for (const [what, url, method] of [
    ['another archive', withToken(`${BUCKET}/info-zip.zip/master.m3u8`), 'GET'],
    ['another object', withToken(`${BUCKET}/deflated.zip`), 'GET'],
    ['a listing', withToken(`${BUCKET}?list-type=2`), 'GET'],
    ['a write', withToken(`${BUCKET}/movie.zip/evil.m3u8`), 'PUT'],
    ['a forged expiry', `${cluster.gatewayUrl}/${BUCKET}/movie.zip/master.m3u8?X-Shardgate-Token=${token.replace(/\.(\d+)\./, (_m, e: string) => `.${Number(e) + 3600}.`)}`, 'GET'],
  ] as const) {
    const response = await fetch(url, { method, body: method === 'PUT' ? 'x' : undefined });
    t.is(response.status, 403, what);
    t.regex(await response.text(), /<Code>AccessDenied<\/Code>/, what);
  }
});

test.serial('with two shard nodes down, member reads and ?range= reads are byte-identical', async (t) => {
  const s3 = cluster.s3();
  // A fresh copy whose central directory has never been read: the index load degrades too.
  const packed = readFileSync(`${FIXTURES}packed.zip`);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cold.zip', Body: packed }));
  await cluster.kill(cluster.nodes[1]!);
  await cluster.kill(cluster.nodes[4]!);
  for (const archive of ['cold.zip', 'movie.zip']) {
    for (const file of streamFiles()) {
      t.true((await getMember(`${archive}/${file}`)).bytes.equals(readFileSync(`${STREAM}${file}`)), `${archive}/${file}`);
    }
  }
  for (const [offset, length] of [[0, packed.length], [12_345, 300_000], [packed.length - 5000, 5000]] as const) {
    const response = await signedFetch(cluster, `/${BUCKET}/cold.zip?range=${offset},${length}`);
    t.is(response.status, 200);
    t.true(Buffer.from(await response.arrayBuffer()).equals(packed.subarray(offset, offset + length)), `range=${offset},${length}`);
  }
  t.true((await cluster.metrics()).degradedSegmentReads! > 0, 'the reads went through parity');
});
