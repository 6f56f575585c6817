/**
 * Archived HLS and DASH in a real browser: hls.js and dash.js (from npm) in Debian's Chromium,
 * driven by playwright-core (see `browser-player.ts`), play packed fixture streams through the
 * gateway. HLS: a presigned `master.m3u8` by member path, the `_byterange/` playlist of a
 * public-read bucket, and the original playlists of that bucket without credentials. DASH (the
 * ffmpeg-made fixture packed by `shardgate archive pack --upload`, in the public-read bucket): the
 * original MPD by member path and the rewritten `_byterange/` MPD (SegmentList `mediaRange` into
 * the archive), each also presigned from a private bucket (the archive token on every link). Playback must advance past several segments with no player error event, and no
 * response may carry the whole archive: the player gets members and ranges only. CORS is
 * configured through the S3 API, as a user would.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketAclCommand, PutBucketCorsCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Browser } from 'playwright-core';
import { gatewayRequests, launchChromium, playerCors, servePlayerPage, type PlayerPage } from './browser-player.ts';
import { FIXTURES, shardgate } from './hls-helpers.ts';
import { useSharedCluster } from './shared-cluster.ts';

const HLS_ARCHIVE = readFileSync(`${FIXTURES}packed.zip`);
const DASH_STREAM = fileURLToPath(new URL('../fixtures/dash/stream/', import.meta.url));
const DASH_ARCHIVE_KEY = 'dash.zip';

/**
 * A read's answer: the member or the object (200), a range (206), or 304 to a revalidation —
 * Chromium's cache keeps the ranges of one URL as one sparse entry, and before it adds a range to
 * an entry it holds it may send If-None-Match with the Range (RFC 9110: 304, no body).
 */
const ANSWERED = new Set([200, 206, 304]);
const HLS_TIMING_RECOVERIES = new Set(['mediaError:bufferStalledError', 'mediaError:bufferSeekOverHole', 'mediaError:bufferNudgeOnStall']);

let page: PlayerPage;
let browser: Browser;
let dashArchiveBytes: number;

const cluster = useSharedCluster(test, { chunkSize: 16 * 1024 }, async (started) => {
  page = await servePlayerPage();
  const s3 = started.s3();
  for (const Bucket of ['player', 'player-public']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: playerCors(page.origin) }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'packed.zip', Body: HLS_ARCHIVE }));
  }
  await s3.send(new PutBucketAclCommand({ Bucket: 'player-public', ACL: 'public-read' }));
  const packed = await shardgate(started, ['archive', 'pack', DASH_STREAM, '--upload', `s3://player-public/${DASH_ARCHIVE_KEY}`]);
  if (packed.code !== 0) throw new Error(`archive pack --upload failed: ${packed.stderr}`);
  dashArchiveBytes = (await s3.send(new HeadObjectCommand({ Bucket: 'player-public', Key: DASH_ARCHIVE_KEY }))).ContentLength!;
  await s3.send(new CopyObjectCommand({ Bucket: 'player', Key: DASH_ARCHIVE_KEY, CopySource: `player-public/${DASH_ARCHIVE_KEY}` }));
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await new Promise((resolve) => page?.server.close(resolve));
});

interface Playback {
  readonly player: 'hls' | 'dash';
  readonly source: () => Promise<string> | string;
  /** Size of the archive played: no response may be that large. */
  readonly archiveBytes: () => number;
  /** The archive's own key when the player must read it by Range (206), not by member path. */
  readonly rangeReadsOf?: string;
}

const plays = test.macro({
  async exec(t, playback: Playback) {
    const from = cluster().gateway.output().length;
    const tab = await browser.newPage();
    t.teardown(() => tab.close());
    const pageErrors: string[] = [];
    tab.on('pageerror', (error) => pageErrors.push(error.message));
    await tab.goto(`${page.origin}/?player=${playback.player}&src=${encodeURIComponent(await playback.source())}`);
    // Segments of 2 s (5 in the HLS fixture, 3 in the DASH one): past 4.5 s the player has
    // fetched and decoded at least three of them.
    await tab.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).currentTime > 4.5, undefined, { timeout: 60_000 })
      .catch(() => {});
    const state = await tab.evaluate(() => {
      const video = document.getElementById('video') as HTMLVideoElement;
      const buffered = Array.from({ length: video.buffered.length }, (_, index) => [video.buffered.start(index), video.buffered.end(index)] as const);
      return {
        currentTime: video.currentTime,
        buffered,
        videoFrames: video.getVideoPlaybackQuality().totalVideoFrames,
        errors: (window as unknown as { playerErrors: string[] }).playerErrors,
        segments: (window as unknown as { segments: number }).segments,
      };
    });
    // hls.js reports its own playback-timing recoveries as non-fatal media "errors" (waiting for data
    // on a loaded machine, stepping over a gap at the start); they say nothing about the bytes.
    // Every other error event — network, parsing, appending, anything fatal — fails the test;
    // for dash.js every ERROR and PLAYBACK_ERROR event does.
    const errors = playback.player === 'hls' ? state.errors.filter((error) => !HLS_TIMING_RECOVERIES.has(error)) : state.errors;
    t.deepEqual(errors, [], `no ${playback.player} error event`);
    t.deepEqual(pageErrors, []);
    t.true(state.currentTime > 4.5, `playback reached ${state.currentTime} s`);
    // A player can reach 4.5 s by jumping a gap; the media must have been there to play: audio
    // and video buffered without a hole up to there, and frames for 4 s of the 25 fps video (a
    // missing 2-s segment leaves at most 2.5 s of them; the margin is for the decoder's lag).
    t.true(state.buffered.some(([start, end]) => start < 1 && end > 4.5), `buffered ${JSON.stringify(state.buffered)}`);
    t.true(state.videoFrames >= 4 * 25, `${state.videoFrames} video frames`);
    t.true(state.segments >= 3, `${state.segments} media segments loaded`);
    const reads = gatewayRequests(cluster(), from).filter((request) => request.operation === 'GetObject');
    t.true(reads.length >= 4, `${reads.length} GETs`);
    for (const read of reads) {
      t.true(ANSWERED.has(read.status ?? 0), `${read.key} answered ${read.status}`);
      t.true((read.bytesOut ?? 0) < playback.archiveBytes(), `${read.key} sent ${read.bytesOut} bytes: never the whole archive`);
    }
    if (playback.rangeReadsOf !== undefined) {
      const rangeReads = reads.filter((read) => read.key === playback.rangeReadsOf);
      t.true(rangeReads.filter((read) => read.status === 206).length >= 3, `${rangeReads.length} reads of the archive itself`);
      t.true(rangeReads.every((read) => read.status === 206 || read.status === 304), 'every read of the archive itself is a Range read (206) or a revalidation (304)');
    }
  },
  title: (title, playback: Playback) => `${playback.player === 'hls' ? 'hls.js' : 'dash.js'} in Chromium plays ${title}`,
});

const hlsArchiveBytes = () => HLS_ARCHIVE.length;

test.serial('a presigned master.m3u8 by member path (tokens carry it to every playlist and segment)', plays, {
  player: 'hls',
  archiveBytes: hlsArchiveBytes,
  source: () => getSignedUrl(cluster().s3(), new GetObjectCommand({ Bucket: 'player', Key: 'packed.zip/master.m3u8' }), { expiresIn: 600 }),
});

test.serial('the _byterange/ playlist of a public-read bucket (segments are Range reads of the archive)', plays, {
  player: 'hls',
  archiveBytes: hlsArchiveBytes,
  source: () => `${cluster().gatewayUrl}/player-public/packed.zip/_byterange/master.m3u8`,
  rangeReadsOf: 'packed.zip',
});

test.serial('the original playlists of a public-read bucket without credentials', plays, {
  player: 'hls',
  archiveBytes: hlsArchiveBytes,
  source: () => `${cluster().gatewayUrl}/player-public/packed.zip/master.m3u8`,
});

test.serial('the original DASH MPD by member path in a public-read bucket (SegmentTemplate, segments as members)', plays, {
  player: 'dash',
  archiveBytes: () => dashArchiveBytes,
  source: () => `${cluster().gatewayUrl}/player-public/${DASH_ARCHIVE_KEY}/manifest.mpd`,
});

test.serial('a presigned DASH MPD by member path in a private bucket (tokens carry it to every segment)', plays, {
  player: 'dash',
  archiveBytes: () => dashArchiveBytes,
  source: () => getSignedUrl(cluster().s3(), new GetObjectCommand({ Bucket: 'player', Key: `${DASH_ARCHIVE_KEY}/manifest.mpd` }), { expiresIn: 600 }),
});

test.serial('a presigned rewritten _byterange/ DASH MPD in a private bucket (the token rides on the archive BaseURL)', plays, {
  player: 'dash',
  archiveBytes: () => dashArchiveBytes,
  source: () => getSignedUrl(cluster().s3(), new GetObjectCommand({ Bucket: 'player', Key: `${DASH_ARCHIVE_KEY}/_byterange/manifest.mpd` }), { expiresIn: 600 }),
  rangeReadsOf: DASH_ARCHIVE_KEY,
});

test.serial('the rewritten _byterange/ DASH MPD (SegmentList mediaRange: segments are Range reads of the archive)', plays, {
  player: 'dash',
  archiveBytes: () => dashArchiveBytes,
  source: () => `${cluster().gatewayUrl}/player-public/${DASH_ARCHIVE_KEY}/_byterange/manifest.mpd`,
  rangeReadsOf: DASH_ARCHIVE_KEY,
});
