/**
 * A real shardgate cluster for integration tests: the gateway and N shard nodes as separate
 * processes on 127.0.0.1 (random ports), each in its own temp dir, driven over HTTP. Everything
 * is stopped and removed in the test's teardown.
 *
 * Secrets never go on a command line (where `ps` shows them): the gateway gets its secret key,
 * admin token and join token by environment, and each node gets a join token of its own operator
 * (`test-op-<index>` unless `operatorOf` says otherwise, made through the admin API) in
 * SHARDGATE_JOIN_TOKEN.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import type { ExecutionContext } from 'ava';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface ClusterOptions {
  readonly nodes?: number;
  readonly dataShards?: number;
  readonly parityShards?: number;
  readonly chunkSize?: number;
  readonly maxSegmentSize?: number;
  /** Extra gateway flags. */
  readonly gatewayArgs?: readonly string[];
  /** The operator node `index` joins for; default `test-op-<index>` (every node its own). */
  readonly operatorOf?: (index: number) => string;
  /** Extra `shardgate node` flags of node `index`. */
  readonly nodeArgs?: (index: number) => readonly string[];
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

export interface ShardNodeProcess extends ManagedProcess {
  readonly index: number;
  readonly dataDir: string;
}

export class TestCluster {
  readonly accessKeyId = `TEST${randomBytes(6).toString('hex').toUpperCase()}`;
  readonly secretKey = randomBytes(24).toString('base64url');
  readonly adminToken = randomBytes(16).toString('hex');
  readonly joinToken = randomBytes(16).toString('hex');
  readonly root = mkdtempSync(path.join(tmpdir(), 'shardgate-test-'));
  /** Generated once per cluster, beside the gateway's data dir; `--master-key-file` overrides it via gatewayArgs. */
  readonly masterKeyFile = path.join(this.root, 'master.key');
  readonly nodes: ShardNodeProcess[] = [];
  gateway!: ManagedProcess;
  gatewayUrl = '';
  #port = 0;
  /** Join token of each node index, made once through the admin API. */
  readonly #joinTokens = new Map<number, string>();
  readonly #clients: S3Client[] = [];
  readonly #extraGateways: ManagedProcess[] = [];

  constructor(readonly options: ClusterOptions) {}

  get nodeCount(): number {
    return this.options.nodes ?? 6;
  }

  /** An S3 client with the AWS SDK's default settings (checksums on), path-style. */
  s3(overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
    const client = new S3Client({
      endpoint: this.gatewayUrl,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretKey },
      maxAttempts: 1,
      ...overrides,
    });
    this.#clients.push(client);
    return client;
  }

  async startGateway(): Promise<void> {
    this.gateway = this.#spawnGateway('gateway', this.#port);
    const match = await waitForOutput(this.gateway, /shardgate gateway listening on (http:\/\/\S+)/);
    this.gatewayUrl = match[1]!;
    this.#port = Number(new URL(this.gatewayUrl).port);
  }

  /**
   * Another gateway process with this cluster's flags, credentials and master key file, on a free
   * port and its own data dir, killed with the cluster. Only useful on a shared metadata store
   * (`--meta postgres://…` in gatewayArgs). Nodes heartbeat to `gatewayUrl`.
   */
  async startExtraGateway(name: string): Promise<{ process: ManagedProcess; url: string }> {
    const extra = this.#spawnGateway(name, 0);
    this.#extraGateways.push(extra);
    const match = await waitForOutput(extra, /shardgate gateway listening on (http:\/\/\S+)/);
    return { process: extra, url: match[1]! };
  }

  #spawnGateway(dataDirName: string, port: number): ManagedProcess {
    ensureMasterKeyFile(this.masterKeyFile);
    const args = [
      'gateway', '--host', '127.0.0.1', '--port', String(port), '--data-dir', path.join(this.root, dataDirName),
      '--access-key', this.accessKeyId, '--node-timeout', '10000', '--shard-timeout', '10000',
      '--master-key-file', this.masterKeyFile,
      // Longer than any pause in a test (a node SIGKILLed and awaited, a cluster under load): with
      // the 5 s default, a test's next request can go out on a keep-alive socket the gateway is
      // closing as idle at that instant, and the SDK (maxAttempts 1) reports a bare socket error.
      '--idle-timeout', '60000',
    ];
    const { dataShards, parityShards, chunkSize, maxSegmentSize } = this.options;
    if (dataShards) args.push('--data-shards', String(dataShards));
    if (parityShards) args.push('--parity-shards', String(parityShards));
    if (chunkSize) args.push('--chunk-size', String(chunkSize));
    if (maxSegmentSize) args.push('--max-segment-size', String(maxSegmentSize));
    args.push(...(this.options.gatewayArgs ?? []));
    // Secrets by environment, never on the command line.
    return spawnCli(args, {
      SHARDGATE_SECRET_KEY: this.secretKey, SHARDGATE_ADMIN_TOKEN: this.adminToken, SHARDGATE_JOIN_TOKEN: this.joinToken,
    });
  }

  /** A join token of node `index`'s operator (see ClusterOptions.operatorOf), made once. */
  async joinTokenFor(index: number): Promise<string> {
    const known = this.#joinTokens.get(index);
    if (known !== undefined) return known;
    const operator = this.options.operatorOf?.(index) ?? `test-op-${index}`;
    const { token } = await this.adminCall<{ token: string }>('POST', '/_/admin/join-tokens', { operator });
    this.#joinTokens.set(index, token);
    return token;
  }

  async startNode(index: number, extraArgs: readonly string[] = []): Promise<ShardNodeProcess> {
    const dataDir = path.join(this.root, `node-${index}`);
    const child = spawnCli([
      'node', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--gateway', this.gatewayUrl,
      '--zone', `zone-${index}`, ...(this.options.nodeArgs?.(index) ?? []), ...extraArgs,
    ], { SHARDGATE_JOIN_TOKEN: await this.joinTokenFor(index) });
    const node: ShardNodeProcess = { ...child, index, dataDir };
    this.nodes[index] = node;
    return node;
  }

  /** Resolves once the gateway reports `count` online nodes. */
  async waitForOnlineNodes(count: number): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const { nodes } = await this.admin<{ nodes: { online: boolean }[] }>('/_/admin/nodes').catch(() => ({ nodes: [] }));
      const online = nodes.filter((node) => node.online).length;
      if (online === count) return;
      if (Date.now() > deadline) {
        const nodeOutput = this.nodes.filter(Boolean).map((node) => `node ${node.index}: ${node.output().slice(-600)}`).join('\n');
        throw new Error(`only ${online} of ${count} nodes online\n${this.gateway.output().slice(-3000)}\n${nodeOutput}`);
      }
      await sleep(100);
    }
  }

  async admin<T>(adminPath: string): Promise<T> {
    return this.adminCall<T>('GET', adminPath);
  }

  async adminCall<T>(method: 'GET' | 'POST' | 'DELETE', adminPath: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.gatewayUrl}${adminPath}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${adminPath} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async metrics(): Promise<Record<string, number>> {
    return this.admin('/_/admin/metrics');
  }

  /** SIGKILL: the process gets no chance to finish anything. */
  async kill(process: ManagedProcess): Promise<void> {
    if (process.child.exitCode !== null || process.child.signalCode !== null) return;
    const exited = new Promise((resolve) => process.child.once('exit', resolve));
    process.child.kill('SIGKILL');
    await exited;
  }

  /** Committed shard files on a node's disk (not hash lists, not temp uploads). */
  shardFiles(index: number): string[] {
    const shardsDir = path.join(this.nodes[index]!.dataDir, 'shards');
    const files: string[] = [];
    for (const fan of safeReaddir(shardsDir)) {
      for (const name of safeReaddir(path.join(shardsDir, fan))) {
        if (/^[0-9a-f]{32}\.\d+$/.test(name)) files.push(path.join(shardsDir, fan, name));
      }
    }
    return files;
  }

  /** Every committed shard file on every node (paths). */
  allShardFiles(): Set<string> {
    return new Set(this.nodes.flatMap((node) => this.shardFiles(node.index)));
  }

  /** Polls until none of `files` is on disk (the janitor deletes garbage after a grace period); returns those left. */
  async waitUntilShardFilesGone(files: readonly string[], timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const present = this.allShardFiles();
      const left = files.filter((file) => present.has(file));
      if (left.length === 0 || Date.now() > deadline) return left;
      await sleep(250);
    }
  }

  /** Runs a `shardgate` command against this cluster's admin API; resolves with its exit code and output. */
  runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
        env: { ...process.env, SHARDGATE_ENDPOINT: this.gatewayUrl, SHARDGATE_ADMIN_TOKEN: this.adminToken, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
      child.stderr!.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.destroy();
    await Promise.all([this.gateway, ...this.#extraGateways, ...this.nodes].filter(Boolean).map((p) => this.kill(p)));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** An object's bytes (whole, a Range, or a PartNumber) through the SDK. */
export async function getObjectBytes(s3: S3Client, input: { Bucket: string; Key: string; Range?: string; PartNumber?: number }): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand(input));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** The S3 error name and HTTP status a request must fail with (the test fails if it succeeds). */
export async function s3ErrorOf(t: ExecutionContext, promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = await t.throwsAsync(promise);
  return { name: (error as S3ServiceException).name, status: (error as S3ServiceException).$metadata?.httpStatusCode };
}

/** Files in `after` that were not in `before`. */
export function addedFiles(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((file) => !before.has(file));
}

export async function startCluster(t: ExecutionContext, options: ClusterOptions = {}): Promise<TestCluster> {
  const cluster = new TestCluster(options);
  t.teardown(() => cluster.close());
  await cluster.startGateway();
  for (let i = 0; i < cluster.nodeCount; i++) await cluster.startNode(i);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  return cluster;
}

/** Spawns `shardgate <args>`; secrets go in `env`, never in `args`. */
function spawnCli(args: string[], env: Record<string, string> = {}): ManagedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => { output += text; });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => { output += text; });
  return { child, output: () => output };
}

async function waitForOutput(process: ManagedProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = process.output().match(pattern);
    if (match) return match;
    if (process.child.exitCode !== null) throw new Error(`process exited with ${process.child.exitCode}:\n${process.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${process.output()}`);
    await sleep(50);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deterministic bytes for a test object: a seeded xorshift stream, fast for 100 MiB. */
export function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    bytes.writeUInt32LE(state, i);
  }
  for (; i < length; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
