/**
 * A real shardgate cluster for benchmarks: the gateway and N shard nodes as separate processes on
 * 127.0.0.1 (random ports), all under one temp dir, driven over HTTP. Self-contained on purpose
 * (benchmarks do not import from test/); the approach is the one of test/cluster.ts.
 *
 * Cleanup: `close()` (async, waits for the processes to exit) in a `finally`, and `closeSync()`
 * for signal and exit handlers, where nothing asynchronous can run any more. Both are idempotent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
/** Only the tail of a process's output is kept (for error messages); request logs are off anyway. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

export interface BenchClusterOptions {
  readonly nodes: number;
  /** Extra gateway flags, e.g. `['--log-requests', 'false']`. */
  readonly gatewayArgs?: readonly string[];
  /** Extra `node` flags for the gateway process, e.g. `['--cpu-prof']` to profile it. */
  readonly gatewayNodeArgs?: readonly string[];
}

export interface BenchProcess {
  /** `gateway` or `node-<index>`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** The last OUTPUT_TAIL_CHARS the process wrote to stdout and stderr. */
  output(): string;
}

export class BenchCluster {
  readonly accessKeyId = `BENCH${randomBytes(6).toString('hex').toUpperCase()}`;
  readonly secretKey = randomBytes(24).toString('base64url');
  readonly adminToken = randomBytes(16).toString('hex');
  readonly joinToken = randomBytes(16).toString('hex');
  readonly root = mkdtempSync(path.join(tmpdir(), 'shardgate-bench-'));
  readonly nodes: BenchProcess[] = [];
  gateway: BenchProcess | null = null;
  gatewayUrl = '';
  readonly #clients: S3Client[] = [];
  #closed = false;

  constructor(readonly options: BenchClusterOptions) {}

  /** Gateway first (nodes register with it), then every node; resolves once all are online. */
  async start(): Promise<void> {
    const masterKeyFile = path.join(this.root, 'master.key');
    ensureMasterKeyFile(masterKeyFile);
    this.gateway = spawnCli('gateway', this.options.gatewayNodeArgs ?? [], [
      'gateway', '--host', '127.0.0.1', '--port', '0', '--data-dir', path.join(this.root, 'gateway'),
      '--access-key', this.accessKeyId, '--master-key-file', masterKeyFile, ...(this.options.gatewayArgs ?? []),
    ], { SHARDGATE_SECRET_KEY: this.secretKey, SHARDGATE_ADMIN_TOKEN: this.adminToken, SHARDGATE_JOIN_TOKEN: this.joinToken });
    const match = await waitForOutput(this.gateway, /shardgate gateway listening on (http:\/\/\S+)/);
    this.gatewayUrl = match[1]!;
    for (let index = 0; index < this.options.nodes; index++) {
      // Each node its own operator, with its own join token, passed by environment (never argv).
      const { token } = await this.#adminPost<{ token: string }>('/_/admin/join-tokens', { operator: `bench-op-${index}` });
      this.nodes.push(spawnCli(`node-${index}`, [], [
        'node', '--host', '127.0.0.1', '--port', '0', '--data-dir', path.join(this.root, `node-${index}`),
        '--gateway', this.gatewayUrl, '--zone', `zone-${index}`,
      ], { SHARDGATE_JOIN_TOKEN: token }));
    }
    await this.waitForOnlineNodes(this.options.nodes, START_TIMEOUT_MS);
  }

  /** A path-style S3 client with the SDK's default settings (checksums on), no retries. */
  s3(): S3Client {
    const client = new S3Client({
      endpoint: this.gatewayUrl,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretKey },
      maxAttempts: 1,
    });
    this.#clients.push(client);
    return client;
  }

  async admin<T>(adminPath: string): Promise<T> {
    const response = await fetch(`${this.gatewayUrl}${adminPath}`, { headers: { authorization: `Bearer ${this.adminToken}` } });
    if (!response.ok) throw new Error(`${adminPath} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async #adminPost<T>(adminPath: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.gatewayUrl}${adminPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${adminPath} answered ${response.status}`);
    return (await response.json()) as T;
  }

  /** Resolves once the gateway reports exactly `count` online nodes. */
  async waitForOnlineNodes(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { nodes } = await this.admin<{ nodes: { online: boolean }[] }>('/_/admin/nodes').catch(() => ({ nodes: [] }));
      const online = nodes.filter((node) => node.online).length;
      if (online === count) return;
      for (const process of [this.gateway!, ...this.nodes]) {
        if (exited(process.child) && !process.child.killed) throw new Error(`${process.name} exited:\n${process.output()}`);
      }
      if (Date.now() > deadline) throw new Error(`${online} nodes online, expected ${count}\n${this.gateway!.output()}`);
      await sleep(100);
    }
  }

  /** SIGKILL: the process gets no chance to finish anything. */
  async kill(process: BenchProcess): Promise<void> {
    if (exited(process.child)) return;
    const exit = new Promise((resolve) => process.child.once('exit', resolve));
    process.child.kill('SIGKILL');
    await exit;
  }

  /** CPU seconds (user + system) each live process has used so far; Linux only, else empty. */
  cpuSeconds(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const process of [this.gateway, ...this.nodes]) {
      if (!process || exited(process.child) || process.child.pid === undefined) continue;
      const seconds = procCpuSeconds(process.child.pid);
      if (seconds !== null) result[process.name] = seconds;
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const client of this.#clients) client.destroy();
    await Promise.all([this.gateway, ...this.nodes].filter((p): p is BenchProcess => p !== null).map((p) => this.kill(p)));
    this.closeSync();
  }

  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const process of [this.gateway, ...this.nodes]) {
      if (process && !exited(process.child)) process.child.kill('SIGKILL');
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Spawns `shardgate <args>`; secrets go in `env`, never in `args` (visible in ps). */
function spawnCli(name: string, nodeArgs: readonly string[], args: string[], env: Record<string, string> = {}): BenchProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let output = '';
  const append = (text: string) => {
    output += text;
    if (output.length > 2 * OUTPUT_TAIL_CHARS) output = output.slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  return { name, child, output: () => output.slice(-OUTPUT_TAIL_CHARS) };
}

async function waitForOutput(process: BenchProcess, pattern: RegExp): Promise<RegExpMatchArray> {
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
