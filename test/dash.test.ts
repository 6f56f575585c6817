/**
 * Archived MPEG-DASH end to end on one real cluster: `archive pack --upload` of the fixture made by
 * ffmpeg's dash muxer (SegmentTemplate + SegmentTimeline, and the same stream as a SegmentList),
 * then ffmpeg decodes every frame through the gateway — the original MPDs by member path, and the
 * rewritten `_byterange/` (mediaRange into the archive) and `_range/` (`?range=`) MPDs — with frame
 * CRCs equal to the local folder's; content types; bad input is one line and uploads nothing.
 */
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { TestCluster } from './cluster.ts';
import { decodeFrames, framesPerStream, shardgate } from './hls-helpers.ts';

const STREAM = fileURLToPath(new URL('../fixtures/dash/stream/', import.meta.url));
const BUCKET = 'dash-public';

let cluster: TestCluster;
let root: string;
const localFrames = new Map<string, string[]>();

test.before(async () => {
  cluster = new TestCluster({ chunkSize: 16 * 1024, maxSegmentSize: 256 * 1024 });
  await cluster.startGateway();
  for (let index = 0; index < cluster.nodeCount; index++) await cluster.startNode(index);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  await cluster.s3().send(new CreateBucketCommand({ Bucket: BUCKET, ACL: 'public-read' }));
  const packed = await shardgate(cluster, ['archive', 'pack', STREAM, '--upload', `s3://${BUCKET}/movie.zip`]);
  if (packed.code !== 0) throw new Error(`pack --upload failed: ${packed.stderr}`);
  for (const mpd of ['manifest.mpd', 'list.mpd']) localFrames.set(mpd, await decodeFrames(`${STREAM}${mpd}`));
  root = mkdtempSync(path.join(tmpdir(), 'shardgate-dash-'));
});

test.after.always(() => {
  cluster?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

for (const mpd of ['manifest.mpd', 'list.mpd']) {
  for (const prefix of ['', '_byterange/', '_range/']) {
    test(`ffmpeg decodes every frame of ${prefix}${mpd} through the gateway, as from the folder`, async (t) => {
      const frames = await decodeFrames(`${cluster.gatewayUrl}/${BUCKET}/movie.zip/${prefix}${mpd}`);
      const expected = localFrames.get(mpd)!;
      t.deepEqual(framesPerStream(frames), framesPerStream(expected));
      t.true(frames.length > 300, `${frames.length} frames`);
      t.deepEqual(frames, expected);
    });
  }
}

test('members by path carry DASH content types', async (t) => {
  const base = `${cluster.gatewayUrl}/${BUCKET}/movie.zip`;
  const types: Record<string, string> = {
    'manifest.mpd': 'application/dash+xml',
    '_byterange/manifest.mpd': 'application/dash+xml',
    'init_0.mp4': 'video/mp4',
    'seg_0_001.m4s': 'video/iso.segment',
  };
  for (const [member, type] of Object.entries(types)) {
    const response = await fetch(`${base}/${member}`, { method: 'HEAD' });
    t.is(response.status, 200, member);
    t.is(response.headers.get('content-type'), type, member);
  }
  const original = await fetch(`${base}/seg_2_004.m4s`);
  t.true(Buffer.from(await original.arrayBuffer()).equals(readFileSync(`${STREAM}seg_2_004.m4s`)));
});

async function packRefused(t: import('ava').ExecutionContext, folder: string, key: string, pattern: RegExp): Promise<void> {
  const result = await shardgate(cluster, ['archive', 'pack', folder, '--upload', `s3://${BUCKET}/${key}`]);
  t.is(result.code, 1);
  t.regex(result.stderr, pattern);
  t.is(result.stderr.split('\n').length, 2, 'one line');
  await t.throwsAsync(cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
  const uploads = await cluster.s3().send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  t.is(uploads.Uploads?.length ?? 0, 0, 'no upload begun');
}

test('an MPD pointing outside the folder is refused with one line, nothing uploaded', async (t) => {
  const folder = path.join(root, 'outside');
  cpSync(STREAM, folder, { recursive: true });
  const text = readFileSync(path.join(folder, 'manifest.mpd'), 'utf8').replace('initialization="init_$RepresentationID$.mp4"', 'initialization="../../etc/init_$RepresentationID$.mp4"');
  writeFileSync(path.join(folder, 'manifest.mpd'), text);
  await packRefused(t, folder, 'outside.zip', /^shardgate archive pack: manifest\.mpd: "\.\.\/\.\.\/etc\/init_0\.mp4" is outside the folder\n$/);
});

test('a DASH folder missing a segment is refused with one line, nothing uploaded', async (t) => {
  const folder = path.join(root, 'missing');
  cpSync(STREAM, folder, { recursive: true });
  unlinkSync(path.join(folder, 'seg_1_002.m4s'));
  await packRefused(t, folder, 'missing.zip', /^shardgate archive pack: list\.mpd references "seg_1_002\.m4s", which is not in the folder\n$/);
});
