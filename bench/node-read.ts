/**
 * One shard node's range-read latency, without the gateway: `npx tsx bench/node-read.ts
 * [--reads 400] [--shard-mib 64]`. Starts a node (and the tiny registration endpoint the
 * shard-node tests use) in a temp dir, stores one shard, warms the page cache, then sends signed
 * GETs for random chunk-aligned windows of 64 KiB–2 MiB over one keep-alive undici pool, at
 * concurrency 1 and 16, every body's bytes checked. Prints p50/p90/p99 in ms and MB/s as JSON.
 * What it isolates: the node's own per-request cost (the gateway's share is in bench/range-read).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { formatNodeRange, shardCommitPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import { mulberry32 } from '../src/testing/seeded-random.ts';
import { startShardNode } from '../shard-node/main.ts';
import { memoryLogger, startFakeGateway, testNodeConfig, TEST_JOIN_TOKEN } from '../shard-node/test-support.ts';
import { machineInfo } from './machine-info.ts';
import { distribution } from './stats.ts';

const { values } = parseArgs({ options: { reads: { type: 'string', default: '400' }, 'shard-mib': { type: 'string', default: '64' } } });
const reads = Number(values.reads);
const CHUNK = 64 * 1024;
const shardBytes = Number(values['shard-mib']) * 1024 * 1024;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shardgate-node-bench-'));
const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN });
const node = await startShardNode(testNodeConfig(dataDir, gateway.url), { logger: memoryLogger() });
await node.registered;
const secret = gateway.secretFor(node.nodeId);
const pool = new Pool(node.url, { connections: 16, keepAliveTimeout: 30_000 });
const signed = (method: string, pathWithQuery: string, range?: string) => ({
  ...signNodeRequest(secret, { method, pathWithQuery, range, expiresAt: Math.floor(Date.now() / 1000) + 600 }),
  ...(range ? { range } : {}),
});

try {
  const next = mulberry32(42);
  const data = Buffer.allocUnsafe(shardBytes);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(Math.floor(next() * 2 ** 32), i);
  const id = `${'ef'.repeat(16)}.0`;
  const upload = await pool.request({ method: 'PUT', path: shardUploadPath(id, CHUNK), headers: signed('PUT', shardUploadPath(id, CHUNK)), body: data });
  await upload.body.dump();
  const list = Buffer.from(hashChunks(data, CHUNK));
  const commit = await pool.request({ method: 'POST', path: shardCommitPath(id), headers: signed('POST', shardCommitPath(id)), body: list });
  await commit.body.dump();
  if (upload.statusCode !== 200 || commit.statusCode !== 204) throw new Error(`store failed: ${upload.statusCode} ${commit.statusCode}`);

  const windows = Array.from({ length: reads }, () => {
    const chunks = 1 + Math.floor(next() * 32); // 64 KiB – 2 MiB
    const first = Math.floor(next() * (shardBytes / CHUNK - chunks));
    return { offset: first * CHUNK, length: chunks * CHUNK };
  });
  const readOne = async (window: { offset: number; length: number }) => {
    const range = formatNodeRange(window);
    const started = performance.now();
    const response = await pool.request({ method: 'GET', path: shardPath(id), headers: signed('GET', shardPath(id), range) });
    const body = Buffer.from(await response.body.arrayBuffer());
    const ms = performance.now() - started;
    if (response.statusCode !== 206 || !body.equals(data.subarray(window.offset, window.offset + window.length))) throw new Error(`wrong answer for ${range}`);
    return ms;
  };
  for (const window of windows.slice(0, 50)) await readOne(window); // warm up: page cache, pool, JIT
  const rows: Record<string, unknown> = {};
  for (const concurrency of [1, 16]) {
    const samples: number[] = [];
    const started = performance.now();
    let nextIndex = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (nextIndex < windows.length) samples.push(await readOne(windows[nextIndex++]!));
    }));
    const seconds = (performance.now() - started) / 1000;
    const bytes = windows.reduce((total, window) => total + window.length, 0);
    const d = distribution(samples);
    rows[`c${concurrency}`] = { p50: +d.p50.toFixed(2), p90: +d.p90.toFixed(2), p99: +d.p99.toFixed(2), MBps: Math.round(bytes / 1e6 / seconds) };
  }
  console.log(JSON.stringify({ bench: 'node-read', reads, shardBytes, machine: machineInfo(), ms: rows }));
} finally {
  await pool.close();
  await node.close();
  await gateway.close();
  await rm(dataDir, { recursive: true, force: true });
}
