/**
 * `shardgate keys create --account NAME | ls [--account NAME] | revoke <access-key-id>`: access
 * keys of a running gateway, through its admin API (`/_/admin/keys`).
 */
import type { AccessKeyView } from '../gateway/keys/key-routes.ts';
import { ConfigError, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest } from './admin-client.ts';
import { adminCommandHelp, formatTable, runAdminCommand, subcommandOf, tableTime, type AdminCommand } from './admin-command.ts';
import { MASTER_KEY_SUBCOMMANDS, MASTER_KEYS_HELP, runMasterKeysCli } from './master-keys.ts';

const KEYS: AdminCommand<{ account: SettingSpecs[string] }> = {
  name: 'keys',
  usage: 'shardgate keys create --account NAME [--json]\n       shardgate keys ls [--account NAME] [--json]\n       shardgate keys revoke <access-key-id> [--json]',
  summary: 'Creates an access key for an account (creating the account when it is new; the secret is shown\nonce), lists keys without their secrets, or revokes a key: requests signed with it then fail\nwith InvalidAccessKeyId.',
  specs: {
    account: { flag: 'account', kind: 'string', description: 'account name (create: required, made if missing; ls: only its keys)' },
  },
  async run({ values: v, positionals, endpoint, print }) {
    // rotate-master and rewrap-master never get here (runKeysCli), but a typo is told they exist.
    const subcommand = subcommandOf(positionals, ['create', 'ls', 'revoke', ...MASTER_KEY_SUBCOMMANDS]);
    const rest = positionals.slice(1);
    if (subcommand === 'create') {
      if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
      if (v.account === undefined) throw new ConfigError('--account NAME is required');
      const created = await adminRequest<CreatedKey>(endpoint, 'POST', '/_/admin/keys', { body: { account: v.account } });
      print(created, [
        `account      ${created.account}${created.accountCreated ? ' (new)' : ''}`,
        `access key   ${created.accessKeyId}`,
        `secret key   ${created.secretKey}`,
        '',
      ].join('\n'));
    } else if (subcommand === 'ls') {
      if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
      const query = new URLSearchParams(v.account === undefined ? {} : { account: v.account });
      const answer = await adminRequest<{ keys: AccessKeyView[] }>(endpoint, 'GET', '/_/admin/keys', { query });
      print(answer, formatKeyTable(answer.keys));
    } else {
      if (rest.length !== 1) throw new ConfigError('revoke takes exactly one access key id');
      if (v.account !== undefined) throw new ConfigError('--account does not apply to revoke');
      const revoked = await adminRequest<AccessKeyView>(endpoint, 'DELETE', `/_/admin/keys/${encodeURIComponent(rest[0]!)}`);
      print(revoked, `revoked ${revoked.accessKeyId} (account ${revoked.account})\n`);
    }
  },
};

interface CreatedKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly account: string;
  readonly accountId: string;
  readonly accountCreated: boolean;
  readonly createdAt: string;
}

export async function runKeysCli(argv: readonly string[]): Promise<void> {
  // The master-key subcommands work on the key file and the metadata, not on a gateway's admin API.
  if (argv.some((arg) => (MASTER_KEY_SUBCOMMANDS as readonly string[]).includes(arg))) return runMasterKeysCli(argv);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${adminCommandHelp(KEYS as AdminCommand<SettingSpecs>)}\n${MASTER_KEYS_HELP}`);
    return;
  }
  return runAdminCommand(KEYS, argv);
}

function formatKeyTable(keys: readonly AccessKeyView[]): string {
  if (keys.length === 0) return 'no access keys\n';
  const rows = keys.map((key) => [
    key.accessKeyId,
    key.account,
    tableTime(key.createdAt),
    key.revokedAt === null ? (key.root ? 'active (root)' : 'active') : `revoked ${tableTime(key.revokedAt)}`,
  ]);
  return formatTable(['ACCESS KEY', 'ACCOUNT', 'CREATED', 'STATUS'], rows);
}
