/**
 * `shardgate nodes tokens create --operator NAME | ls [--operator NAME] | revoke <id>`: join tokens
 * of a running gateway, through its admin API (`/_/admin/join-tokens`). A join token admits new
 * shard nodes for one operator; placement never puts more than `--max-shards-per-operator` shards
 * of a segment on one operator's nodes.
 */
import type { JoinTokenView } from '../gateway/nodes/join-token-routes.ts';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';

const SPECS = {
  operator: { flag: 'operator', kind: 'string', description: 'operator name (create: required, made if missing; ls: only its tokens)' },
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export const NODE_TOKENS_HELP = formatHelp(
  'shardgate nodes tokens create --operator NAME [--json]\n       shardgate nodes tokens ls [--operator NAME] [--json]\n       shardgate nodes tokens revoke <token-id> [--json]',
  'Creates a join token for an operator (creating the operator when it is new; the token is shown\nonce, the gateway keeps only its hash), lists tokens without their values, or revokes one: it\nadmits no new node from then on, while nodes it admitted keep working (they prove themselves\nwith their own keys). Give the token to the node by SHARDGATE_JOIN_TOKEN or --join-token-file.',
  SPECS,
);

interface CreatedToken extends JoinTokenView {
  readonly token: string;
  readonly operatorCreated: boolean;
}

export async function runNodeTokensCli(argv: readonly string[]): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(NODE_TOKENS_HELP);
      return;
    }
    const [subcommand, ...rest] = positionals;
    if (subcommand === undefined) throw new ConfigError('say what to do: create, ls or revoke (see --help)');
    if (!['create', 'ls', 'revoke'].includes(subcommand)) throw new ConfigError(`unknown subcommand "${subcommand}" (create, ls or revoke)`);
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken };
    const print = (answer: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : text);

    if (subcommand === 'create') {
      if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
      if (v.operator === undefined) throw new ConfigError('--operator NAME is required');
      const created = await adminRequest<CreatedToken>(endpoint, 'POST', '/_/admin/join-tokens', { body: { operator: v.operator } });
      print(created, [
        `operator     ${created.operator}${created.operatorCreated ? ' (new)' : ''}`,
        `token id     ${created.id}`,
        `join token   ${created.token}`,
        '',
      ].join('\n'));
    } else if (subcommand === 'ls') {
      if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
      const query = new URLSearchParams(v.operator === undefined ? {} : { operator: v.operator });
      const answer = await adminRequest<{ tokens: JoinTokenView[] }>(endpoint, 'GET', '/_/admin/join-tokens', { query });
      print(answer, formatTokenTable(answer.tokens));
    } else {
      if (rest.length !== 1) throw new ConfigError('revoke takes exactly one token id');
      if (v.operator !== undefined) throw new ConfigError('--operator does not apply to revoke');
      const revoked = await adminRequest<JoinTokenView>(endpoint, 'DELETE', `/_/admin/join-tokens/${encodeURIComponent(rest[0]!)}`);
      print(revoked, `revoked ${revoked.id} (operator ${revoked.operator})\n`);
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate nodes tokens: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

function formatTokenTable(tokens: readonly JoinTokenView[]): string {
  if (tokens.length === 0) return 'no join tokens\n';
  const rows = tokens.map((token) => [
    token.id,
    token.operator,
    token.createdAt.replace(/\.\d{3}Z$/, 'Z'),
    token.revokedAt === null ? (token.configured ? 'active (--join-token)' : 'active') : `revoked ${token.revokedAt.replace(/\.\d{3}Z$/, 'Z')}`,
  ]);
  const header = ['TOKEN ID', 'OPERATOR', 'CREATED', 'STATUS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!)).join('  ')).join('\n') + '\n';
}
