import { readFileSync } from 'node:fs';
import { ConfigError } from './flags.ts';

/**
 * A secret given either as a value (`--<flag>`, best by environment: a command line shows in `ps`)
 * or as a file holding it (`--<flag>-file`, a secret mount; surrounding whitespace ignored), not
 * both. Null when neither is given; a file that cannot be read or holds more than one token is a
 * ConfigError naming the flag, never the secret.
 */
export function readSecretSetting(flag: string, given: string | undefined, file: string | undefined): string | null {
  const value = given === '' ? undefined : given;
  if (value !== undefined && file !== undefined) throw new ConfigError(`give --${flag} or --${flag}-file, not both`);
  if (file === undefined) return value ?? null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--${flag}-file: cannot read ${file} (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  const secret = text.trim();
  if (secret === '' || /\s/.test(secret)) throw new ConfigError(`--${flag}-file: ${file} must hold one token`);
  return secret;
}
