import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseInteger } from '../src/config/flags.ts';
import { ensureMasterKeyFile, MasterKeyFileError } from '../src/crypto/master-key-file.ts';
import { GATEWAY_HELP, loadGatewayConfig, type GatewayConfig } from '../gateway/config.ts';
import { startGateway, type RunningGateway } from '../gateway/main.ts';
import { hashJoinToken, newJoinToken, operatorNamed } from '../gateway/nodes/join-tokens.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
const REGISTRATION_TIMEOUT_MS = 60_000;

const DEV_HELP = `Usage: shardgate dev [--nodes N] [gateway options]

Runs a whole local cluster: the gateway on http://127.0.0.1:9000 (web console on :9001) with SQLite (or PostgreSQL with
--meta postgres://…), and N shard-node processes (default 6, for the default 4+2 profile), all
data under ./data (SHARDGATE_DATA_DIR).
Credentials are generated on first start and kept; Ctrl-C stops everything.

  --nodes <integer>                number of shard nodes (env SHARDGATE_DEV_NODES, default 6)

Gateway options (the data directory is the cluster's: the gateway uses <data-dir>/gateway):
${GATEWAY_HELP.split('Options:\n')[1]}`;

export async function runDevCli(argv: string[]): Promise<void> {
  const { nodeCount, gatewayArgs, help } = splitDevArgs(argv);
  if (help) {
    process.stdout.write(DEV_HELP);
    return;
  }
  const dataDir = path.resolve(valueOf(gatewayArgs, '--data-dir') ?? process.env.SHARDGATE_DATA_DIR ?? './data');
  let config: GatewayConfig;
  try {
    ({ config } = loadGatewayConfig(
      [...withoutFlag(gatewayArgs, '--data-dir'), '--data-dir', path.join(dataDir, 'gateway')],
      // A person at a terminal gets readable log lines unless they ask for JSON.
      { ...process.env, SHARDGATE_DATA_DIR: undefined, SHARDGATE_LOG_FORMAT: process.env.SHARDGATE_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : undefined) },
    ));
    // The master key beside the metadata's directory, never inside it; generated (0600) on first start.
    if (config.masterKeyFile === null) {
      const masterKeyFile = path.join(dataDir, 'master.key');
      mkdirSync(dataDir, { recursive: true });
      try {
        ensureMasterKeyFile(masterKeyFile);
      } catch (error) {
        if (error instanceof MasterKeyFileError) throw new ConfigError(error.message);
        throw error;
      }
      config = Object.freeze({ ...config, masterKeyFile });
    }
    // The web console is on in the dev cluster: at --console-listen when given, else beside the
    // S3 port (9000 → 9001; port 0 → a free one). SHARDGATE_CONSOLE_LISTEN= (empty) turns it off.
    if (config.consoleListen === null && process.env.SHARDGATE_CONSOLE_LISTEN === undefined) {
      config = Object.freeze({ ...config, consoleListen: { host: config.host, port: config.port === 0 || config.port === 65535 ? 0 : config.port + 1 } });
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shardgate dev: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shardgate dev: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const logDir = path.join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const nodes: ChildProcess[] = [];
  let stopping = false;
  for (let i = 1; i <= nodeCount; i++) {
    const nodeDir = path.join(dataDir, 'nodes', `node-${i}`);
    const log = createWriteStream(path.join(logDir, `node-${i}.log`), { flags: 'a' });
    // Each local node is its own operator (so the per-operator placement cap spreads a segment
    // over them as it would over strangers' nodes), with its own join token, passed by
    // environment: a command line is visible to every user in `ps`.
    const joinToken = await devJoinToken(gateway, i);
    const child = spawn(process.execPath, [
      // tsx resolved here, not from the working directory: `shardgate dev` may run from anywhere.
      '--import', TSX_LOADER, CLI, 'node',
      '--host', '127.0.0.1', '--port', '0', '--data-dir', nodeDir,
      '--gateway', gateway.url, '--zone', `zone-${i}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARDGATE_JOIN_TOKEN: joinToken } });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`shard node ${i} exited (${signal ?? code}); see ${path.join(logDir, `node-${i}.log`)}\n`);
    });
    nodes.push(child);
  }

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping shard nodes and gateway…\n');
    await Promise.all(nodes.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    })));
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const deadline = Date.now() + REGISTRATION_TIMEOUT_MS;
  while (gateway.deps.registry.online().length < nodeCount) {
    if (Date.now() > deadline) {
      process.stderr.write(`only ${gateway.deps.registry.online().length} of ${nodeCount} shard nodes registered; see ${logDir}\n`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { accessKeyId, secretKey, adminToken } = gateway.credentials;
  process.stdout.write(`
shardgate is running: gateway + ${gateway.deps.registry.online().length} shard nodes (${config.profile.dataShards}+${config.profile.parityShards}, ${config.profile.chunkSize} B chunks)

  endpoint     ${gateway.url}${gateway.consoleUrl ? `\n  console      ${gateway.consoleUrl}   (log in with the admin token)` : ''}
  region       ${config.region}
  access key   ${accessKeyId}
  secret key   ${secretKey}
  admin token  ${adminToken}
  data         ${dataDir}   (node logs in ${logDir})
  master key   ${config.masterKeyFile}   (back it up: without it no object can be read)

  export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretKey} AWS_REGION=${config.region}
  aws --endpoint-url ${gateway.url} s3 mb s3://demo
  aws --endpoint-url ${gateway.url} s3 cp ./README.md s3://demo/

Ctrl-C stops the cluster.
`);
}

/** A fresh join token of operator `dev-node-<i>` (token id `dev-node-<i>`, replaced at every start). */
async function devJoinToken(gateway: RunningGateway, index: number): Promise<string> {
  const { store } = gateway.deps;
  const { operator } = await operatorNamed(store, `dev-node-${index}`);
  const { token } = newJoinToken();
  await store.putJoinToken({ id: `dev-node-${index}`, operatorId: operator.id, tokenHash: hashJoinToken(token), createdAt: new Date() });
  return token;
}

function splitDevArgs(argv: readonly string[]): { nodeCount: number; gatewayArgs: string[]; help: boolean } {
  const gatewayArgs: string[] = [];
  let nodes = process.env.SHARDGATE_DEV_NODES;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--nodes') nodes = argv[++i];
    else if (arg.startsWith('--nodes=')) nodes = arg.slice('--nodes='.length);
    else gatewayArgs.push(arg);
  }
  try {
    return { nodeCount: nodes === undefined ? 6 : parseInteger('--nodes', nodes, 1, 256), gatewayArgs, help };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`shardgate dev: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

function valueOf(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1);
  }
  return undefined;
}

function withoutFlag(args: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) i++;
    else if (!args[i]!.startsWith(`${flag}=`)) out.push(args[i]!);
  }
  return out;
}
