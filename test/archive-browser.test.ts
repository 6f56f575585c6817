/**
 * Archived HLS in a real browser: hls.js (from npm) in Debian's Chromium, driven by
 * playwright-core, plays the packed fixture stream through the gateway — a presigned
 * `master.m3u8` by member path, the `_byterange/` playlist of a public-read bucket, and the
 * original playlists of that bucket without credentials. Playback must advance past several
 * segments with no hls.js error event, and no response may carry the whole archive: the player
 * gets members and ranges only. CORS is configured through the S3 API, as a user would.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  CreateBucketCommand, GetObjectCommand, PutBucketAclCommand, PutBucketCorsCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { chromium, type Browser } from 'playwright-core';
import { FIXTURES } from './hls-helpers.ts';
import { useSharedCluster } from './shared-cluster.ts';

const CHROMIUM = '/usr/bin/chromium';
const HLS_JS = fileURLToPath(new URL('../node_modules/hls.js/dist/hls.js', import.meta.url));
const ARCHIVE = readFileSync(`${FIXTURES}packed.zip`);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>player</title><script src="/hls.js"></script></head>
<body><video id="video" muted playsinline width="320"></video>
<script>
  window.hlsErrors = [];
  window.fragments = 0;
  const hls = new Hls({ enableWorker: false });
  hls.on(Hls.Events.ERROR, (_, data) => window.hlsErrors.push(data.type + ':' + data.details + (data.fatal ? ' (fatal)' : '')));
  hls.on(Hls.Events.FRAG_LOADED, () => { window.fragments++; });
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(document.getElementById('video'));
  hls.on(Hls.Events.MANIFEST_PARSED, () => document.getElementById('video').play());
</script></body></html>`;

const TIMING_RECOVERIES = new Set(['mediaError:bufferStalledError', 'mediaError:bufferSeekOverHole', 'mediaError:bufferNudgeOnStall']);

let page: { server: Server; origin: string };
let browser: Browser;

const cluster = useSharedCluster(test, { chunkSize: 16 * 1024 }, async (started) => {
  page = await servePlayerPage();
  const s3 = started.s3();
  const cors = { CORSRules: [{ AllowedOrigins: [page.origin], AllowedMethods: ['GET' as const, 'HEAD' as const], AllowedHeaders: ['*'], ExposeHeaders: ['Content-Length', 'Content-Range'] }] };
  for (const Bucket of ['player', 'player-public']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: cors }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'packed.zip', Body: ARCHIVE }));
  }
  await s3.send(new PutBucketAclCommand({ Bucket: 'player-public', ACL: 'public-read' }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
});

test.after.always(async () => {
  await browser?.close();
  await new Promise((resolve) => page?.server.close(resolve));
});

function servePlayerPage(): Promise<{ server: Server; origin: string }> {
  const hlsJs = readFileSync(HLS_JS);
  const server = createServer((request, response) => {
    if (request.url === '/hls.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    else if (request.url?.startsWith('/?')) response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }));
}

/** Every S3 request the gateway logged since `from` (its stdout holds one JSON line per request). */
function gatewayRequests(from: number): { operation?: string; key?: string; status?: number; bytesOut?: number }[] {
  return cluster().gateway.output().slice(from).split('\n').filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event?: string })
    .filter((line) => line.event === 'request') as never;
}

const plays = test.macro({
  async exec(t, source: () => Promise<string>) {
    const from = cluster().gateway.output().length;
    const tab = await browser.newPage();
    t.teardown(() => tab.close());
    const pageErrors: string[] = [];
    tab.on('pageerror', (error) => pageErrors.push(error.message));
    await tab.goto(`${page.origin}/?src=${encodeURIComponent(await source())}`);
    // 5 segments of 2 s: past 4.5 s the player has fetched and decoded at least three of them.
    await tab.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).currentTime > 4.5, undefined, { timeout: 60_000 })
      .catch(() => {});
    const state = await tab.evaluate(() => ({
      currentTime: (document.getElementById('video') as HTMLVideoElement).currentTime,
      errors: (window as unknown as { hlsErrors: string[] }).hlsErrors,
      fragments: (window as unknown as { fragments: number }).fragments,
    }));
    // hls.js reports its own playback-timing recoveries as non-fatal media "errors" (waiting for data
    // on a loaded machine, stepping over a gap at the start); they say nothing about the bytes.
    // Every other error event — network, parsing, appending, anything fatal — fails the test.
    t.deepEqual(state.errors.filter((error) => !TIMING_RECOVERIES.has(error)), [], 'no hls.js error event');
    t.deepEqual(pageErrors, []);
    t.true(state.currentTime > 4.5, `playback reached ${state.currentTime} s`);
    t.true(state.fragments >= 3, `${state.fragments} fragments loaded`);
    const reads = gatewayRequests(from).filter((request) => request.operation === 'GetObject');
    t.true(reads.length >= 4, `${reads.length} GETs`);
    for (const read of reads) {
      t.true((read.status ?? 0) < 300, `${read.key} answered ${read.status}`);
      t.true((read.bytesOut ?? 0) < ARCHIVE.length, `${read.key} sent ${read.bytesOut} bytes: never the whole archive`);
    }
  },
  title: (title) => `hls.js in Chromium plays ${title}`,
});

test.serial('a presigned master.m3u8 by member path (tokens carry it to every playlist and segment)', plays, async () => {
  return getSignedUrl(cluster().s3(), new GetObjectCommand({ Bucket: 'player', Key: 'packed.zip/master.m3u8' }), { expiresIn: 600 });
});

test.serial('the _byterange/ playlist of a public-read bucket (segments are Range reads of the archive)', plays, async () => {
  return `${cluster().gatewayUrl}/player-public/packed.zip/_byterange/master.m3u8`;
});

test.serial('the original playlists of a public-read bucket without credentials', plays, async () => {
  return `${cluster().gatewayUrl}/player-public/packed.zip/master.m3u8`;
});
