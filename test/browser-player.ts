/**
 * The real-browser side of the archive playback tests: a small page server with hls.js and
 * dash.js from node_modules, headless Debian Chromium through playwright-core, the CORS rules a
 * user would set for that page's origin, and the gateway's request log read back. The page at
 * `/?player=hls|dash&src=<url>` plays `src` muted and keeps, on `window`, the player's error
 * events (`playerErrors`) and how many media segments it has loaded (`segments`).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CORSConfiguration } from '@aws-sdk/client-s3';
import { chromium, type Browser } from 'playwright-core';
import type { TestCluster } from './cluster.ts';

const CHROMIUM = '/usr/bin/chromium';
const PLAYER_SCRIPTS: Record<string, string> = {
  '/hls.js': fileURLToPath(new URL('../node_modules/hls.js/dist/hls.js', import.meta.url)),
  '/dash.js': fileURLToPath(new URL('../node_modules/dashjs/dist/modern/umd/dash.all.min.js', import.meta.url)),
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>player</title>
<script src="/hls.js"></script><script src="/dash.js"></script></head>
<body><video id="video" muted playsinline width="320"></video>
<script>
  window.playerErrors = [];
  window.segments = 0;
  const query = new URLSearchParams(location.search);
  const video = document.getElementById('video');
  if (query.get('player') === 'dash') {
    const player = dashjs.MediaPlayer().create();
    const events = dashjs.MediaPlayer.events;
    player.on(events.ERROR, (event) => window.playerErrors.push('error ' + event.error.code + ': ' + event.error.message));
    player.on(events.PLAYBACK_ERROR, (event) => window.playerErrors.push('playback: ' + (event.error && event.error.message)));
    player.on(events.FRAGMENT_LOADING_COMPLETED, (event) => { if (event.request.type === 'MediaSegment') window.segments++; });
    player.initialize(video, query.get('src'), true);
  } else {
    const hls = new Hls({ enableWorker: false });
    hls.on(Hls.Events.ERROR, (_, data) => window.playerErrors.push(data.type + ':' + data.details + (data.fatal ? ' (fatal)' : '')));
    hls.on(Hls.Events.FRAG_LOADED, () => { window.segments++; });
    hls.loadSource(query.get('src'));
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
  }
</script></body></html>`;

export interface PlayerPage {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`: the origin the buckets' CORS rules must allow. */
  readonly origin: string;
}

export function servePlayerPage(): Promise<PlayerPage> {
  const scripts = new Map(Object.entries(PLAYER_SCRIPTS).map(([route, file]) => [route, readFileSync(file)]));
  const server = createServer((request, response) => {
    const script = scripts.get(request.url ?? '');
    if (script) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (request.url?.startsWith('/?')) response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }));
}

/** GET and HEAD from the page's origin, with Range allowed and Content-Range readable. */
export function playerCors(origin: string): CORSConfiguration {
  return { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['Content-Length', 'Content-Range'] }] };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
}

export interface LoggedRequest {
  readonly operation?: string;
  readonly key?: string;
  readonly status?: number;
  readonly bytesOut?: number;
}

/** Every S3 request the gateway logged from output offset `from` (its stdout holds one JSON line per request). */
export function gatewayRequests(cluster: TestCluster, from: number): LoggedRequest[] {
  return cluster.gateway.output().slice(from).split('\n').filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LoggedRequest & { event?: string })
    .filter((line) => line.event === 'request');
}
