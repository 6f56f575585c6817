/**
 * The metadata store under S3 load: `npx tsx bench/metadata.ts [options]` (see --help).
 *
 * For each backend (SQLite, then PostgreSQL on a throwaway server started like the tests'), a
 * bucket of `--keys` objects is seeded through the MetaStore (not through S3: metadata only, deep
 * prefixes), then a fresh cluster (gateway + 6 shard nodes, request logs off) on that store is
 * timed through the AWS SDK at `--concurrency`: PUT of 4 KiB objects (erasure-coded to the
 * nodes, so a PUT is node I/O plus one commit), HEAD of those objects, and ListObjectsV2 pages of
 * 1,000 keys from random start-after positions in the seeded bucket (plain, and with delimiter
 * '/'). `postgres-2` runs the same on two gateways on one database, requests alternating between
 * them (what a load balancer does). Every response is checked. Results: a table and bench/results/metadata-<UTC time>.json.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { parseChoiceList, runBenchCommand } from './bench-command.ts';
import { PostgresMetaStore } from '../src/meta/postgres-store.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import type { MetaStore } from '../src/meta/store.ts';
import { startPostgresTestServer, type PostgresTestServer } from '../src/testing/postgres-server.ts';
import { BenchCluster } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { seededRandom } from './object-bytes.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';

const SPECS = {
  keys: { flag: 'keys', env: 'BENCH_KEYS', kind: 'integer', description: 'objects seeded through the store into the listed bucket', defaultText: '100000' },
  puts: { flag: 'puts', env: 'BENCH_PUTS', kind: 'integer', description: 'timed 4 KiB PUTs per backend', defaultText: '400' },
  heads: { flag: 'heads', env: 'BENCH_HEADS', kind: 'integer', description: 'timed HEADs per backend', defaultText: '2000' },
  pages: { flag: 'pages', env: 'BENCH_PAGES', kind: 'integer', description: 'timed ListObjectsV2 pages per kind and backend', defaultText: '100' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'integer', description: 'requests in flight', defaultText: '16' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of keys and positions', defaultText: '1' },
  backends: { flag: 'backends', env: 'BENCH_BACKENDS', kind: 'string', description: 'comma-separated runs: sqlite, postgres, postgres-2 (two gateways on one database)', defaultText: 'sqlite,postgres,postgres-2' },
} as const satisfies SettingSpecs;

const BACKENDS = ['sqlite', 'postgres', 'postgres-2'] as const;
type Backend = (typeof BACKENDS)[number];
const LISTED = 'listed';
const WRITTEN = 'written';
const OBJECT_BYTES = 4096;

interface Settings { keys: number; puts: number; heads: number; pages: number; concurrency: number; seed: number; backends: Backend[] }
interface BackendResult {
  backend: Backend; seedSeconds: number; putsPerSecond: number; headsPerSecond: number;
  put: Distribution; head: Distribution; listPage: Distribution; listDelimiterPage: Distribution;
  errors: string[];
}

/** The seeded bucket's keys: `<a>/<b>/<c>/<n>`, three levels of prefixes, sorted by construction. */
function seededKey(index: number): string {
  const n = String(index).padStart(7, '0');
  return `tenant-${index % 7}/day-${index % 31}/${index % 97 < 3 ? 'é' : 'h'}-${index % 13}/${n}.ts`;
}

async function seedStore(store: MetaStore, keys: number): Promise<void> {
  const root = (await store.getAccountByName('root')) ?? (await store.createAccount('root'));
  await store.createBucket({ name: LISTED, accountId: root.id, createdAt: new Date(), profile: { dataShards: 4, parityShards: 2, chunkSize: 65536 } });
  const batch = 32;
  for (let start = 0; start < keys; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, keys - start) }, (_, offset) => {
      const index = start + offset;
      return store.commitObject({
        object: {
          bucket: LISTED, key: seededKey(index), versionId: `seed-${index}`, size: OBJECT_BYTES, etag: '"00000000000000000000000000000000"',
          contentType: 'video/mp2t', userMetadata: {}, checksums: {},
        },
        segments: [],
        writeId: `seed-${index}`,
      });
    }));
  }
}

interface Timed { latencies: number[]; seconds: number; errors: string[] }

/**
 * Runs `count` tasks with `concurrency` in flight; returns the latency in ms of each that
 * succeeded, the wall time, and the errors (reported, never hidden in the rates).
 */
async function timed(phase: string, count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<Timed> {
  process.stderr.write(`  ${phase}…\n`);
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    for (let index = next++; index < count; index = next++) {
      const t0 = performance.now();
      try {
        await task(index);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors.push(`${phase} #${index} after ${Math.round(performance.now() - t0)} ms: ${(error as Error).message}`);
      }
    }
  }));
  return { latencies, seconds: (performance.now() - started) / 1000, errors };
}

async function runBackend(backend: Backend, settings: Settings, postgres: PostgresTestServer | null): Promise<BackendResult> {
  const metaUrl = postgres ? await postgres.createDatabase() : null;
  const cluster = new BenchCluster({ nodes: 6, gatewayArgs: ['--log-requests', 'false', '--billing', 'false', ...(metaUrl ? ['--meta', metaUrl] : [])] });
  try {
    const seedStarted = performance.now();
    const dbDir = path.join(cluster.root, 'gateway');
    mkdirSync(dbDir, { recursive: true });
    const store = metaUrl ? await PostgresMetaStore.open(metaUrl, { maxConnections: 32 }) : SqliteMetaStore.open(path.join(dbDir, 'meta.sqlite'));
    try {
      await seedStore(store, settings.keys);
    } finally {
      await store.close();
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await cluster.start();
    const clients = [cluster.s3()];
    if (backend === 'postgres-2') clients.push(cluster.s3({ endpoint: (await cluster.startExtraGateway('gateway-2')).url }));
    // Request i goes to gateway i mod n: a round-robin load balancer.
    const s3For = (index: number) => clients[index % clients.length]!;
    const s3 = clients[0]!;
    await s3.send(new CreateBucketCommand({ Bucket: WRITTEN }));
    const body = new Uint8Array(OBJECT_BYTES).fill(7);
    const puts = await timed('PUT 4 KiB', settings.puts, settings.concurrency, async (index) => {
      await s3For(index).send(new PutObjectCommand({ Bucket: WRITTEN, Key: `obj/${index}`, Body: body }));
    });
    const heads = await timed('HEAD', settings.heads, settings.concurrency, async (index) => {
      const head = await s3For(index).send(new HeadObjectCommand({ Bucket: WRITTEN, Key: `obj/${index % settings.puts}` }));
      if (head.ContentLength !== OBJECT_BYTES) throw new Error(`HEAD says ${head.ContentLength} bytes`);
    });
    const random = seededRandom(settings.seed);
    const list = (delimiter: string | undefined) => timed(delimiter ? 'LIST delimiter' : 'LIST', settings.pages, settings.concurrency, async (pageIndex) => {
      const index = Math.floor(random() * settings.keys);
      const prefix = delimiter ? seededKey(index).split('/').slice(0, 2).join('/') + '/' : undefined;
      const page = await listPage(s3For(pageIndex), delimiter ? { Prefix: prefix, Delimiter: delimiter } : { StartAfter: seededKey(index) });
      if (page === 0) throw new Error('empty listing page');
    });
    const plain = await list(undefined);
    const withDelimiter = await list('/');
    return {
      backend, seedSeconds,
      putsPerSecond: puts.latencies.length / puts.seconds, headsPerSecond: heads.latencies.length / heads.seconds,
      errors: [...puts.errors, ...heads.errors, ...plain.errors, ...withDelimiter.errors],
      put: distribution(puts.latencies), head: distribution(heads.latencies),
      listPage: distribution(plain.latencies), listDelimiterPage: distribution(withDelimiter.latencies),
    };
  } finally {
    await cluster.close();
  }
}

async function listPage(s3: S3Client, input: { Prefix?: string; Delimiter?: string; StartAfter?: string }): Promise<number> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: LISTED, MaxKeys: 1000, ...input }));
  return (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
}

function parse(v: Readonly<Record<string, string | undefined>>): Settings {
  return {
    keys: parseInteger('--keys', v.keys ?? '100000', 1, 100_000_000),
    puts: parseInteger('--puts', v.puts ?? '400', 1, 10_000_000),
    heads: parseInteger('--heads', v.heads ?? '2000', 1, 10_000_000),
    pages: parseInteger('--pages', v.pages ?? '100', 1, 1_000_000),
    concurrency: parseInteger('--concurrency', v.concurrency ?? '16', 1, 1024),
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 32 - 1),
    backends: parseChoiceList('--backends', v.backends ?? BACKENDS.join(','), BACKENDS),
  };
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const postgres = await startPostgresTestServer();
  process.once('exit', () => { void postgres.stop(); });
  const results: BackendResult[] = [];
  try {
    for (const backend of settings.backends) {
      process.stderr.write(`${backend}: seeding ${settings.keys} keys, then PUT/HEAD/LIST…\n`);
      results.push(await runBackend(backend, settings, backend === 'sqlite' ? null : postgres));
    }
  } finally {
    await postgres.stop();
  }
  const round = (value: number) => Math.round(value * 10) / 10;
  process.stdout.write(`${formatTable(
    ['backend', 'errors', 'seed s', 'PUT/s', 'PUT p50 ms', 'HEAD/s', 'HEAD p50 ms', 'LIST p50 ms', 'LIST p90 ms', 'LIST / p50 ms'],
    results.map((r) => [
      r.backend, r.errors.length, round(r.seedSeconds), round(r.putsPerSecond), round(r.put.p50), round(r.headsPerSecond), round(r.head.p50),
      round(r.listPage.p50), round(r.listPage.p90), round(r.listDelimiterPage.p50),
    ]),
  )}\n`);
  for (const r of results) for (const error of r.errors.slice(0, 5)) process.stdout.write(`${r.backend}: ${error}\n`);
  const file = writeResultsJson('metadata', { startedAt, settings, machine: machineInfo(), results }, startedAt);
  process.stdout.write(`results: ${file}\n`);
  return 0;
}

process.exitCode = await runBenchCommand({
  name: 'bench/metadata',
  usage: 'npx tsx bench/metadata.ts [options]',
  summary: 'PUT, HEAD and LIST through the gateway on SQLite and on PostgreSQL.',
  specs: SPECS,
  parse,
  run,
});
