/**
 * `shardgate nodes ls | show <id> | drain <id> | undrain <id> | forget <id> | disqualify <id>`:
 * node states of a running gateway and the operator's decisions, through its admin API;
 * `shardgate nodes tokens …`: join tokens per operator (node-tokens.ts).
 */
import type { NodeRepairView } from '../gateway/repair/repair-service.ts';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';
import { runNodeTokensCli } from './node-tokens.ts';

const SPECS = {
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export const NODES_HELP = formatHelp(
  'shardgate nodes ls [--json]\n       shardgate nodes show|drain|undrain|forget|disqualify <node-id> [--json]',
  [
    'ls: every registered node with its state (online, offline, lost, draining, drained, disqualified).',
    'show: one node\'s state and how many shards metadata places on it (a drain\'s progress).',
    'drain: move every shard off the node while it stays online; it becomes "drained" at 0 shards,',
    '  then its operator can stop it. undrain: cancel (a drained node takes shards again).',
    'forget: the node will never return; its shards are repaired from the others at once.',
    'disqualify: the node is untrusted; no new shards, its shards are repaired away.',
    'tokens: join tokens per operator: create, ls, revoke (shardgate nodes tokens --help).',
  ].join('\n'),
  SPECS,
);

const SUBCOMMANDS = ['ls', 'show', 'drain', 'undrain', 'forget', 'disqualify'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface NodeListEntry {
  readonly id: string;
  readonly url: string;
  readonly zone: string;
  readonly state: string;
  readonly freeBytes: number;
  readonly lastHeartbeatAt: string;
}

export async function runNodesCli(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'tokens') return runNodeTokensCli(argv.slice(1));
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(NODES_HELP);
      return;
    }
    const [subcommand, ...rest] = positionals;
    if (subcommand === undefined) throw new ConfigError(`say what to do: ${SUBCOMMANDS.join(', ')} (see --help)`);
    if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) throw new ConfigError(`unknown subcommand "${subcommand}" (${SUBCOMMANDS.join(', ')}, tokens)`);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken };
    const print = (answer: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : text);

    if (subcommand === 'ls') {
      if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
      const answer = await adminRequest<{ nodes: NodeListEntry[] }>(endpoint, 'GET', '/_/admin/nodes');
      print(answer, formatNodeTable(answer.nodes));
      return;
    }
    if (rest.length !== 1) throw new ConfigError(`${subcommand} takes exactly one node id`);
    const path = `/_/admin/nodes/${encodeURIComponent(rest[0]!)}`;
    const view = subcommand === 'show'
      ? await adminRequest<NodeRepairView>(endpoint, 'GET', path)
      : await adminRequest<NodeRepairView>(endpoint, 'POST', `${path}/${subcommand}`);
    print(view, describe(subcommand as Exclude<Subcommand, 'ls'>, view));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate nodes: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

function describe(subcommand: Exclude<Subcommand, 'ls'>, view: NodeRepairView): string {
  const shards = `${view.shards} shard${view.shards === 1 ? '' : 's'}`;
  switch (subcommand) {
    case 'drain': return `node ${view.id} ${view.state}: ${shards} left to move\n`;
    case 'undrain': return `node ${view.id} ${view.state}: drain cancelled, ${shards}\n`;
    case 'forget': return `node ${view.id} forgotten: its ${shards} are being repaired from the other nodes\n`;
    case 'disqualify': return `node ${view.id} disqualified: its ${shards} are being repaired away\n`;
    case 'show': return `node ${view.id} ${view.state}${view.adminStateSince ? ` since ${view.adminStateSince}` : ''}: ${shards}\n`;
  }
}

function formatNodeTable(nodes: readonly NodeListEntry[]): string {
  if (nodes.length === 0) return 'no nodes registered\n';
  const rows = nodes.map((node) => [node.id, node.state, node.zone, node.url, node.lastHeartbeatAt.replace(/\.\d{3}Z$/, 'Z')]);
  const header = ['NODE', 'STATE', 'ZONE', 'URL', 'LAST HEARTBEAT'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!)).join('  ')).join('\n') + '\n';
}
