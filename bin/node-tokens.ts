/**
 * `shardgate nodes tokens create --operator NAME | ls [--operator NAME] | revoke <id>`: join tokens
 * of a running gateway, through its admin API (`/_/admin/join-tokens`). A join token admits new
 * shard nodes for one operator; placement never puts more than `--max-shards-per-operator` shards
 * of a segment on one operator's nodes.
 */
import type { JoinTokenView } from '../gateway/nodes/join-token-routes.ts';
import { ConfigError, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest } from './admin-client.ts';
import { formatTable, runAdminCommand, subcommandOf, tableTime, type AdminCommand } from './admin-command.ts';

const NODE_TOKENS: AdminCommand<{ operator: SettingSpecs[string] }> = {
  name: 'nodes tokens',
  usage: 'shardgate nodes tokens create --operator NAME [--json]\n       shardgate nodes tokens ls [--operator NAME] [--json]\n       shardgate nodes tokens revoke <token-id> [--json]',
  summary: 'Creates a join token for an operator (creating the operator when it is new; the token is shown\nonce, the gateway keeps only its hash), lists tokens without their values, or revokes one: it\nadmits no new node from then on, while nodes it admitted keep working (they prove themselves\nwith their own keys). Give the token to the node by SHARDGATE_JOIN_TOKEN or --join-token-file.',
  specs: {
    operator: { flag: 'operator', kind: 'string', description: 'operator name (create: required, made if missing; ls: only its tokens)' },
  },
  async run({ values: v, positionals, endpoint, print }) {
    const subcommand = subcommandOf(positionals, ['create', 'ls', 'revoke']);
    const rest = positionals.slice(1);
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
  },
};

interface CreatedToken extends JoinTokenView {
  readonly token: string;
  readonly operatorCreated: boolean;
}

export function runNodeTokensCli(argv: readonly string[]): Promise<void> {
  return runAdminCommand(NODE_TOKENS, argv);
}

function formatTokenTable(tokens: readonly JoinTokenView[]): string {
  if (tokens.length === 0) return 'no join tokens\n';
  const rows = tokens.map((token) => [
    token.id,
    token.operator,
    tableTime(token.createdAt),
    token.revokedAt === null ? (token.configured ? 'active (--join-token)' : 'active') : `revoked ${tableTime(token.revokedAt)}`,
  ]);
  return formatTable(['TOKEN ID', 'OPERATOR', 'CREATED', 'STATUS'], rows);
}
