/**
 * A tiny, typed command-line + environment reader shared by every shardgate command. Each setting
 * has a flag (`--port 9000` or `--port=9000`) and optionally an environment variable; the flag wins.
 * Unknown flags and malformed values are errors with a one-line message naming the setting.
 */

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR';
  override name = 'ConfigError';
}

export type SettingKind = 'string' | 'integer' | 'bytes' | 'boolean';

export interface SettingSpec {
  readonly flag: string;
  readonly env?: string;
  readonly kind: SettingKind;
  readonly description: string;
  /** Shown in --help; the caller applies the actual default. */
  readonly defaultText?: string;
}

export type SettingSpecs = Readonly<Record<string, SettingSpec>>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** Reads flags then environment variables for each spec; returns raw strings by setting name. */
export function readSettings(specs: SettingSpecs, argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const byFlag = new Map(Object.entries(specs).map(([name, spec]) => [spec.flag, { name, spec }]));
  const values: Record<string, string | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const entry = byFlag.get(flag);
    if (!entry) throw new ConfigError(`unknown option --${flag} (see --help)`);
    if (eq !== -1) {
      values[entry.name] = arg.slice(eq + 1);
    } else if (entry.spec.kind === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) {
      values[entry.name] = 'true';
    } else {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`option --${flag} needs a value`);
      values[entry.name] = next;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined && spec.env && env[spec.env] !== undefined && env[spec.env] !== '') {
      values[name] = env[spec.env];
    }
  }
  return { values, positionals, help };
}

export function parseInteger(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** `65536`, `64KiB`, `64k`, `1.5GiB` → bytes (binary units). */
export function parseBytes(name: string, raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new ConfigError(`${name} must be a size like 65536, 64KiB or 10GiB, got "${raw}"`);
  const value = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(value)) throw new ConfigError(`${name} is too large: "${raw}"`);
  return value;
}

export function parseBoolean(name: string, raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** The --help text: usage line, then one line per setting with its flag, env var and default. */
export function formatHelp(usage: string, summary: string, specs: SettingSpecs): string {
  const rows = Object.values(specs).map((spec) => {
    const left = `  --${spec.flag}${spec.kind === 'boolean' ? '' : ' <' + spec.kind + '>'}`;
    const extra = [spec.env ? `env ${spec.env}` : '', spec.defaultText ? `default ${spec.defaultText}` : '']
      .filter(Boolean).join(', ');
    return `${left.padEnd(32)} ${spec.description}${extra ? ` (${extra})` : ''}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n  --help                           show this help\n`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `90s`, `30m`, `1h`, `2d`, or a bare number of seconds → milliseconds (at least `minimumMs`). */
export function parseDuration(flag: string, raw: string, minimumMs: number): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!) : NaN;
  if (!Number.isFinite(ms) || ms < minimumMs || ms > 365 * UNIT_MS.d!) {
    throw new ConfigError(`${flag} must be a duration such as 90s, 30m or 1h (at least ${minimumMs} ms), got "${raw}"`);
  }
  return ms;
}
