/**
 * A real shardgate cluster on this machine, for tests and benches: the gateway and N shard nodes
 * as separate processes on 127.0.0.1 (free ports), each with its own data dir under one temp dir,
 * driven over HTTP. test/cluster.ts (ava teardown, test defaults) and bench/cluster.ts (signal-safe
 * cleanup, CPU accounting) build on this one launcher.
 *
 * Secrets never go on a command line (where `ps` shows them): the gateway gets its secret key,
 * admin token and join token by environment, and each node a join token of its own operator
 * (`<label>-op-<index>` unless `operatorOf` says otherwise, made through the admin API) in
 * SHARDGATE_JOIN_TOKEN.
 *
 * Cleanup: `close()` (waits for the processes to exit) and `closeSync()` for signal and exit
 * handlers, where nothing asynchronous runs any more. Both are idempotent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { ensureMasterKeyFile } from '../crypto/master-key-file.ts';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../process/gateway-node-flags.ts';

const CLI = fileURLToPath(new URL('../../bin/cli.ts', import.meta.url));
export const START_TIMEOUT_MS = 60_000;

export interface LocalClusterOptions {
  /** `test` or `bench`: names the temp dir, the access key and the default operators. */
  readonly label?: string;
  readonly nodes?: number;
  readonly dataShards?: number;
  readonly parityShards?: number;
  readonly chunkSize?: number;
  readonly maxSegmentSize?: number;
  /** Extra gateway flags (a flag given twice: the later wins). */
  readonly gatewayArgs?: readonly string[];
  /** Extra `node` (runtime) flags of the gateway process (after GATEWAY_NODE_FLAGS), e.g. `['--cpu-prof']`. */
  readonly gatewayNodeArgs?: readonly string[];
  /** The operator node `index` joins for; default `<label>-op-<index>` (every node its own). */
  readonly operatorOf?: (index: number) => string;
  /** Extra `shardgate node` flags of node `index`. */
  readonly nodeArgs?: (index: number) => readonly string[];
  /** Extra `node` (runtime) flags of the shard node processes, e.g. `['--cpu-prof']`. */
  readonly nodeRuntimeArgs?: readonly string[];
  /** `close()` sends SIGTERM and waits for each process to exit (so `--cpu-prof` profiles get written); default SIGKILL. */
  readonly stopGracefully?: boolean;
  /** Keep only the last this many characters of each process's output (benches); default all. */
  readonly outputTailChars?: number;
}

export interface ManagedProcess {
  /** `gateway`, `gateway-2`, `node-<index>`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** What the process wrote to stdout and stderr so far (its tail with `outputTailChars`). */
  output(): string;
}

export interface ShardNodeProcess extends ManagedProcess {
  readonly index: number;
  readonly dataDir: string;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class LocalCluster {
  readonly label: string;
  readonly accessKeyId: string;
  readonly secretKey = randomBytes(24).toString('base64url');
  readonly adminToken = randomBytes(16).toString('hex');
  readonly joinToken = randomBytes(16).toString('hex');
  readonly root: string;
  /** Generated once per cluster, beside the gateway's data dir; `--master-key-file` overrides it via gatewayArgs. */
  readonly masterKeyFile: string;
  readonly nodes: ShardNodeProcess[] = [];
  gateway!: ManagedProcess;
  /** Where clients, nodes and admin calls go: the gateway, or a load balancer a test puts in front. */
  gatewayUrl = '';
  #port = 0;
  /** Join token of each node index, made once through the admin API. */
  readonly #joinTokens = new Map<number, string>();
  readonly #clients: S3Client[] = [];
  readonly #extraGateways: ManagedProcess[] = [];
  #closed = false;

  constructor(readonly options: LocalClusterOptions) {
    this.label = options.label ?? 'cluster';
    this.accessKeyId = `${this.label.toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
    this.root = mkdtempSync(path.join(tmpdir(), `shardgate-${this.label}-`));
    this.masterKeyFile = path.join(this.root, 'master.key');
  }

  get nodeCount(): number {
    return this.options.nodes ?? 6;
  }

  /** Gateway first (nodes register with it), then every node; resolves once all are online. */
  async start(): Promise<void> {
    await this.startGateway();
    for (let i = 0; i < this.nodeCount; i++) await this.startNode(i);
    await this.waitForOnlineNodes(this.nodeCount);
  }

  /** An S3 client with the AWS SDK's default settings (checksums on), path-style, no retries. */
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

  /** Starts the gateway; a restart listens on the port of the first start. */
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

  #spawnGateway(name: string, port: number): ManagedProcess {
    ensureMasterKeyFile(this.masterKeyFile);
    const args = [
      'gateway', '--host', '127.0.0.1', '--port', String(port), '--data-dir', path.join(this.root, name),
      '--access-key', this.accessKeyId, '--master-key-file', this.masterKeyFile,
    ];
    const { dataShards, parityShards, chunkSize, maxSegmentSize } = this.options;
    if (dataShards) args.push('--data-shards', String(dataShards));
    if (parityShards) args.push('--parity-shards', String(parityShards));
    if (chunkSize) args.push('--chunk-size', String(chunkSize));
    if (maxSegmentSize) args.push('--max-segment-size', String(maxSegmentSize));
    args.push(...(this.options.gatewayArgs ?? []));
    return this.#spawnCli(name, args, {
      ...GATEWAY_ENV, SHARDGATE_SECRET_KEY: this.secretKey, SHARDGATE_ADMIN_TOKEN: this.adminToken, SHARDGATE_JOIN_TOKEN: this.joinToken,
    }, [...GATEWAY_NODE_FLAGS, ...(this.options.gatewayNodeArgs ?? [])]);
  }

  /** A join token of node `index`'s operator (see LocalClusterOptions.operatorOf), made once. */
  async joinTokenFor(index: number): Promise<string> {
    const known = this.#joinTokens.get(index);
    if (known !== undefined) return known;
    const operator = this.options.operatorOf?.(index) ?? `${this.label}-op-${index}`;
    const { token } = await this.adminCall<{ token: string }>('POST', '/_/admin/join-tokens', { operator });
    this.#joinTokens.set(index, token);
    return token;
  }

  async startNode(index: number, extraArgs: readonly string[] = []): Promise<ShardNodeProcess> {
    const dataDir = path.join(this.root, `node-${index}`);
    const child = this.#spawnCli(`node-${index}`, [
      'node', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--gateway', this.gatewayUrl,
      '--zone', `zone-${index}`, ...(this.options.nodeArgs?.(index) ?? []), ...extraArgs,
    ], { SHARDGATE_JOIN_TOKEN: await this.joinTokenFor(index) }, this.options.nodeRuntimeArgs);
    const node: ShardNodeProcess = { ...child, index, dataDir };
    this.nodes[index] = node;
    return node;
  }

  /** Resolves once the gateway reports exactly `count` online nodes; throws early if a process died. */
  async waitForOnlineNodes(count: number, timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { nodes } = await this.admin<{ nodes: { online: boolean }[] }>('/_/admin/nodes').catch(() => ({ nodes: [] }));
      const online = nodes.filter((node) => node.online).length;
      if (online === count) return;
      if (exited(this.gateway.child) && !this.gateway.child.killed) throw new Error(`the gateway exited:\n${this.gateway.output()}`);
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
    if (exited(process.child)) return;
    const exit = new Promise((resolve) => process.child.once('exit', resolve));
    process.child.kill('SIGKILL');
    await exit;
  }

  /** SIGTERM, then SIGKILL when the process has not exited within 10 s. */
  async #stop(process: ManagedProcess): Promise<void> {
    if (exited(process.child)) return;
    const exit = new Promise((resolve) => process.child.once('exit', resolve));
    process.child.kill('SIGTERM');
    const timer = setTimeout(() => process.child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  }

  /** CPU seconds (user + system) each live process has used so far, by name; Linux only, else empty. */
  cpuSeconds(): Record<string, number> {
    return this.#perLiveProcess(procCpuSeconds);
  }

  /** Peak resident memory (VmHWM) of each live process, by name, since it started or since `resetPeakRss()`; Linux only, else empty. */
  peakRssBytes(): Record<string, number> {
    return this.#perLiveProcess(procPeakRssBytes);
  }

  /** `read(pid)` of each live process, by name; processes it answers null for are left out. */
  #perLiveProcess(read: (pid: number) => number | null): Record<string, number> {
    const result: Record<string, number> = {};
    for (const process of this.#processes()) {
      if (exited(process.child) || process.child.pid === undefined) continue;
      const value = read(process.child.pid);
      if (value !== null) result[process.name] = value;
    }
    return result;
  }

  /** Starts every live process's peak RSS afresh from its current RSS (Linux `clear_refs`; a no-op where refused). */
  resetPeakRss(): void {
    for (const process of this.#processes()) {
      if (exited(process.child) || process.child.pid === undefined) continue;
      try {
        writeFileSync(`/proc/${process.child.pid}/clear_refs`, '5');
      } catch {
        // not Linux, or not allowed: the peak then counts from the process's start
      }
    }
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
    return new Set(this.nodes.filter(Boolean).flatMap((node) => this.shardFiles(node.index)));
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
    return runShardgate(args, { SHARDGATE_ENDPOINT: this.gatewayUrl, SHARDGATE_ADMIN_TOKEN: this.adminToken, ...env });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const client of this.#clients) client.destroy();
    await Promise.all(this.#processes().map((p) => (this.options.stopGracefully ? this.#stop(p) : this.kill(p))));
    this.closeSync();
  }

  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const process of this.#processes()) if (!exited(process.child)) process.child.kill('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }

  #processes(): ManagedProcess[] {
    return [this.gateway, ...this.#extraGateways, ...this.nodes].filter(Boolean);
  }

  /** Spawns `shardgate <args>`; secrets go in `env`, never in `args`. */
  #spawnCli(name: string, args: readonly string[], env: Record<string, string>, runtimeArgs: readonly string[] = []): ManagedProcess {
    const child = spawn(process.execPath, [...runtimeArgs, '--import', 'tsx', CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
    });
    const tail = this.options.outputTailChars;
    let output = '';
    const append = (text: string) => {
      output += text;
      if (tail !== undefined && output.length > 2 * tail) output = output.slice(-tail);
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    return { name, child, output: () => (tail === undefined ? output : output.slice(-tail)) };
  }
}

/** Runs `shardgate <args>` to its end (extra `env` over this process's); resolves with its exit code and output. */
export function runShardgate(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitForOutput(process: ManagedProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = process.output().match(pattern);
    if (match) return match;
    if (exited(process.child)) throw new Error(`${process.name} exited with ${process.child.exitCode}:\n${process.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${process.output()}`);
    await sleep(50);
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** utime + stime from /proc/<pid>/stat, assuming the usual 100 clock ticks per second. */
function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** VmHWM from /proc/<pid>/status. */
export function procPeakRssBytes(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
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
