/**
 * `shardgate node status [--data-dir DIR] [--json]`: for an operator on the node's own machine,
 * read from the node's data directory (works whether the node runs or not): its id, zone and
 * operator, whether its process runs, its registration as the gateway last answered it, the last
 * heartbeat (ok or the error), shards held and their bytes, and disk space.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { readNodeSpace, type NodeSpace } from '../shard-node/disk-space.ts';
import { readNodeStateFile, type NodeStateSnapshot } from '../shard-node/node-state-file.ts';
import { ShardFileStore } from '../shard-node/shard-files.ts';
import { ago, approximateBytes } from './status-format.ts';

const SPECS = {
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_NODE_DATA_DIR', kind: 'string', description: 'the node\'s data directory', defaultText: './data/node' },
  json: { flag: 'json', kind: 'boolean', description: 'print the status as JSON' },
} as const satisfies SettingSpecs;

const HELP = formatHelp(
  'shardgate node status [--data-dir DIR] [--json]',
  'What a shard node on this machine holds and last heard from its gateway: id, zone, operator, process,\nregistration, last heartbeat, shards and bytes, disk space. Read from the data directory.',
  SPECS,
);

export class NodeStatusError extends Error {
  readonly code = 'NODE_STATUS_UNAVAILABLE';
  override name = 'NodeStatusError';
}

export interface NodeLocalStatus {
  readonly nodeId: string;
  readonly dataDir: string;
  /** True when the process that wrote the state file is alive and has not stopped. */
  readonly running: boolean;
  readonly state: NodeStateSnapshot | null;
  readonly shards: { readonly count: number; readonly bytes: number };
  readonly space: NodeSpace;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

export async function readNodeLocalStatus(dataDir: string): Promise<NodeLocalStatus> {
  let nodeId: string;
  try {
    nodeId = (JSON.parse(await readFile(path.join(dataDir, 'node.json'), 'utf8')) as { nodeId: string }).nodeId;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new NodeStatusError(code === 'ENOENT' ? `no shard node data in ${dataDir} (no node.json); give --data-dir` : `cannot read ${path.join(dataDir, 'node.json')} (${code ?? (error as Error).message})`);
  }
  const state = await readNodeStateFile(dataDir).catch((error: Error) => {
    throw new NodeStatusError(`cannot read ${path.join(dataDir, 'node-state.json')} (${error.message})`);
  });
  const store = await ShardFileStore.open(dataDir); // counts committed shards; the directories exist already
  const { usedBytes, shardCount } = store.usage;
  const space = await readNodeSpace(dataDir, state?.configuredCapacityBytes ?? null, usedBytes);
  return {
    nodeId, dataDir, running: state !== null && state.stoppedAt === null && processAlive(state.pid), state,
    shards: { count: shardCount, bytes: usedBytes }, space,
  };
}

export function formatNodeStatus(status: NodeLocalStatus, now: Date): string {
  const { state } = status;
  const registration = state?.registration;
  const heartbeat = state?.lastHeartbeat ?? null;
  const lines = [
    `node          ${status.nodeId}${state ? `  zone ${state.zone}` : ''}${registration?.operatorId ? `  operator ${registration.operatorId}` : ''}`,
    `process       ${status.running ? `running (pid ${state!.pid}) since ${state!.startedAt}, serving ${state!.url}` : state?.stoppedAt ? `stopped at ${state.stoppedAt}` : state ? `not running (pid ${state.pid} is gone)` : 'never started with this data directory'}`,
    `gateway       ${state ? `${state.gatewayUrl}: ${registration!.state} ${ago(registration!.at, now)}${registration!.secretEpoch ? ` (secret epoch ${registration!.secretEpoch})` : ''}${registration!.message ? `: ${registration!.message}` : ''}` : 'unknown'}`,
    `heartbeat     ${heartbeat === null ? 'none yet' : `${heartbeat.ok ? 'ok' : `failed (${heartbeat.status ?? heartbeat.error ?? 'no answer'})`} ${ago(heartbeat.at, now)}`}`,
    `shards        ${status.shards.count} (${approximateBytes(status.shards.bytes)})`,
    `disk          ${approximateBytes(status.space.freeBytes)} free of ${approximateBytes(status.space.capacityBytes)}${state?.configuredCapacityBytes ? ' (--capacity)' : ''}`,
    `scrub         ${scrubLine(state?.scrub, now)}`,
    '',
  ];
  return lines.join('\n');
}

/** The node's own scrub: off, not finished a pass yet, or its last pass. */
function scrubLine(scrub: NodeStateSnapshot['scrub'], now: Date): string {
  if (!scrub) return 'unknown';
  if (scrub.bytesPerSecond === 0) return 'off (--scrub-rate 0)';
  const pace = `${approximateBytes(scrub.bytesPerSecond)}/s, a pass every ${Math.round(scrub.passEveryMs / 60_000)} min`;
  if (!scrub.lastPass) return `no pass finished yet (${pace})`;
  const pass = scrub.lastPass;
  return `last pass finished ${ago(pass.finishedAt, now)}: ${pass.shards} shards (${approximateBytes(pass.bytes)}), ${pass.corrupt} corrupt (${pace})`;
}

export async function runNodeStatusCli(argv: readonly string[]): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(HELP);
      return;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    const status = await readNodeLocalStatus(path.resolve(v.dataDir ?? './data/node'));
    process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatNodeStatus(status, new Date()));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof NodeStatusError) {
      process.stderr.write(`shardgate node status: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}
