/**
 * `shardgate keys create --account NAME | ls [--account NAME] | revoke <access-key-id>`: access
 * keys of a running gateway, through its admin API (`/_/admin/keys`).
 */
import type { AccessKeyView } from '../gateway/keys/key-routes.ts';
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { adminRequest, AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';
import { MASTER_KEY_SUBCOMMANDS, MASTER_KEYS_HELP, runMasterKeysCli } from './master-keys.ts';

const SPECS = {
  account: { flag: 'account', kind: 'string', description: 'account name (create: required, made if missing; ls: only its keys)' },
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export const KEYS_HELP = formatHelp(
  'shardgate keys create --account NAME [--json]\n       shardgate keys ls [--account NAME] [--json]\n       shardgate keys revoke <access-key-id> [--json]',
  'Creates an access key for an account (creating the account when it is new; the secret is shown\nonce), lists keys without their secrets, or revokes a key: requests signed with it then fail\nwith InvalidAccessKeyId.',
  SPECS,
);

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
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      process.stdout.write(`${KEYS_HELP}\n${MASTER_KEYS_HELP}`);
      return;
    }
    const [subcommand, ...rest] = positionals;
    if (subcommand === undefined) throw new ConfigError('say what to do: create, ls or revoke (see --help)');
    if (!['create', 'ls', 'revoke'].includes(subcommand)) {
      throw new ConfigError(`unknown subcommand "${subcommand}" (create, ls, revoke, rotate-master or rewrap-master)`);
    }
    const json = v.json !== undefined && parseBoolean('--json', v.json);
    if (!v.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(v.endpoint ?? 'http://127.0.0.1:9000'), adminToken: v.adminToken };
    const print = (answer: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : text);

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
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate keys: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

function formatKeyTable(keys: readonly AccessKeyView[]): string {
  if (keys.length === 0) return 'no access keys\n';
  const rows = keys.map((key) => [
    key.accessKeyId,
    key.account,
    key.createdAt.replace(/\.\d{3}Z$/, 'Z'),
    key.revokedAt === null ? (key.root ? 'active (root)' : 'active') : `revoked ${key.revokedAt.replace(/\.\d{3}Z$/, 'Z')}`,
  ]);
  const header = ['ACCESS KEY', 'ACCOUNT', 'CREATED', 'STATUS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!)).join('  ')).join('\n') + '\n';
}
