/**
 * What every bench's command line shares: flags and environment read once (src/config/flags.ts),
 * `--help`, no positional arguments, and a bad setting as one line on stderr with exit code 2 —
 * before any cluster starts.
 */
import { ConfigError, formatHelp, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';

export interface BenchCommand<Settings> {
  /** As it prefixes error lines: `range-read`, `bench/metadata`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly specs: SettingSpecs;
  /** The bench's settings from the raw values (by spec name); throws ConfigError. */
  parse(values: Readonly<Record<string, string | undefined>>): Settings;
  /** Runs the bench; resolves with the process exit code. */
  run(settings: Settings): Promise<number>;
}

export async function runBenchCommand<Settings>(command: BenchCommand<Settings>, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let settings: Settings;
  try {
    const { values, help, positionals } = readSettings(command.specs, argv, process.env);
    if (help) {
      process.stdout.write(formatHelp(command.usage, command.summary, command.specs));
      return 0;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    settings = command.parse(values);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${command.name}: ${error.message}\n`);
    return 2;
  }
  return command.run(settings);
}

/** `1,16` → [1, 16], each from `min` to `max`. */
export function parseIntegerList(flag: string, raw: string, min: number, max: number): number[] {
  return raw.split(',').map((part) => parseInteger(flag, part.trim(), min, max));
}

/** `a,b` → the distinct names, each one of `choices`. */
export function parseChoiceList<Choice extends string>(flag: string, raw: string, choices: readonly Choice[]): Choice[] {
  const names = raw.split(',').map((part) => part.trim());
  const unknown = names.find((name) => !(choices as readonly string[]).includes(name));
  if (unknown !== undefined) throw new ConfigError(`${flag}: "${unknown ?? raw}" is not one of ${choices.join(', ')}`);
  return [...new Set(names)] as Choice[];
}
