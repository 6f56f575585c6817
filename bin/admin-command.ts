/**
 * The shape every operator command shares (`keys`, `nodes tokens`, `usage`, …): flags and
 * environment read once, `--help`, `--json`, the gateway endpoint and admin token, and every
 * failure as one line on stderr — exit 2 for a usage error, 1 for anything the gateway refused or
 * could not be reached for.
 */
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { AdminRequestError, parseEndpointUrl, type AdminEndpoint } from './admin-client.ts';

export const ADMIN_COMMAND_SPECS = {
  json: { flag: 'json', kind: 'boolean', description: 'print the admin API answer as JSON' },
  endpoint: { flag: 'endpoint', env: 'SHARDGATE_ENDPOINT', kind: 'string', description: 'gateway URL', defaultText: 'http://127.0.0.1:9000' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'the gateway admin token (required)' },
} as const satisfies SettingSpecs;

export interface AdminCommand<Specs extends SettingSpecs> {
  /** As the user types it, for messages: `keys`, `nodes tokens`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** The command's own flags; the endpoint, token and --json are added. */
  readonly specs: Specs;
  run(context: AdminCommandContext<Specs>): Promise<void>;
}

export interface AdminCommandContext<Specs extends SettingSpecs> {
  readonly values: { readonly [name in keyof Specs]?: string };
  readonly positionals: readonly string[];
  readonly endpoint: AdminEndpoint;
  readonly json: boolean;
  /** Prints the admin API's answer as JSON with --json, else `text`. */
  print(answer: unknown, text: string): void;
}

export function adminCommandHelp(command: AdminCommand<SettingSpecs>): string {
  return formatHelp(command.usage, command.summary, { ...command.specs, ...ADMIN_COMMAND_SPECS });
}

export async function runAdminCommand<Specs extends SettingSpecs>(command: AdminCommand<Specs>, argv: readonly string[]): Promise<void> {
  try {
    const { values, help, positionals } = readSettings({ ...command.specs, ...ADMIN_COMMAND_SPECS }, argv, process.env);
    if (help) {
      process.stdout.write(adminCommandHelp(command as AdminCommand<SettingSpecs>));
      return;
    }
    const json = values.json !== undefined && parseBoolean('--json', values.json);
    if (!values.adminToken) throw new ConfigError('--admin-token (or SHARDGATE_ADMIN_TOKEN) is required');
    const endpoint: AdminEndpoint = { url: parseEndpointUrl(values.endpoint ?? 'http://127.0.0.1:9000'), adminToken: values.adminToken };
    await command.run({
      values: values as AdminCommandContext<Specs>['values'],
      positionals,
      endpoint,
      json,
      print: (answer, text) => process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : text),
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError) {
      process.stderr.write(`shardgate ${command.name}: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

/** The first positional, one of `allowed`; ConfigError otherwise. */
export function subcommandOf(positionals: readonly string[], allowed: readonly string[]): string {
  const [subcommand] = positionals;
  const choices = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed.join('');
  if (subcommand === undefined) throw new ConfigError(`say what to do: ${choices} (see --help)`);
  if (!allowed.includes(subcommand)) throw new ConfigError(`unknown subcommand "${subcommand}" (${choices})`);
  return subcommand;
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}

/** An ISO time without its milliseconds, for tables. */
export function tableTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}
