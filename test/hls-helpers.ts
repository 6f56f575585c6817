/**
 * Helpers of the archived-HLS integration tests: running the shardgate CLI and ffmpeg, and signed
 * requests with a query string (the SDK has no way to add `?range=`).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../src/archive/s3-request-signer.ts';
import type { TestCluster } from './cluster.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/hls/', import.meta.url));

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function shardgate(cluster: TestCluster, args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', CLI, ...args], {
    ...process.env,
    SHARDGATE_ENDPOINT: cluster.gatewayUrl,
    AWS_ACCESS_KEY_ID: cluster.accessKeyId,
    AWS_SECRET_ACCESS_KEY: cluster.secretKey,
  });
}

/** A SigV4-signed GET or HEAD of `path?query` (path as sent, already encoded). */
export async function signedFetch(cluster: TestCluster, pathAndQuery: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const url = new URL(`${cluster.gatewayUrl}${pathAndQuery}`);
  const method = init.method ?? 'GET';
  const headers = signRequest({
    method,
    url,
    headers: init.headers ?? {},
    payloadHash: 'UNSIGNED-PAYLOAD',
    endpoint: { url: cluster.gatewayUrl, region: 'us-east-1', accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey },
    now: new Date(),
  });
  delete headers.host;
  return fetch(url, { method, headers });
}

/**
 * ffmpeg decoding every stream of `input` (`-map 0`) to per-frame CRCs: one line per decoded
 * frame, identical for identical input. Fails the promise on any ffmpeg error output.
 */
export async function decodeFrames(input: string, extraArgs: readonly string[] = []): Promise<string[]> {
  const result = await run('ffmpeg', ['-nostdin', '-v', 'error', ...extraArgs, '-i', input, '-map', '0', '-f', 'framecrc', '-']);
  if (result.code !== 0 || result.stderr.trim() !== '') throw new Error(`ffmpeg failed on ${input} (${result.code}): ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** The literal check: `ffmpeg -v error -i URL -f null -` exits 0 and prints nothing. */
export async function playsWithoutError(input: string): Promise<RunResult> {
  return run('ffmpeg', ['-nostdin', '-v', 'error', '-i', input, '-f', 'null', '-']);
}

/** Frames per stream index, from `decodeFrames` lines (`0, dts, pts, duration, size, crc`). */
export function framesPerStream(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const stream = line.split(',')[0]!.trim();
    counts[stream] = (counts[stream] ?? 0) + 1;
  }
  return counts;
}
