import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DATA_KEY_BYTES } from './key-wrap.ts';

/**
 * The gateway's master key file: the keys that wrap segment data keys (SSE-S3). One key per line,
 * `<key id> <base64 of 32 bytes>`; blank lines and `#` comments are ignored. The last key is the
 * current one (new writes); the others still unwrap what they wrapped. Several gateways may read
 * the same file. Generated and rewritten with mode 0600, atomically (temp file + rename).
 */

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export class MasterKeyFileError extends Error {
  readonly code = 'MASTER_KEY_FILE';
  override name = 'MasterKeyFileError';
  constructor(readonly file: string, reason: string) {
    super(`master key file ${file}: ${reason}`);
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** The key id SSE-C segments record (customer-keys.ts): never a master key's. */
const RESERVED_KEY_ID = 'sse-c';
const HEADER = '# shardgate master keys: "<id> <base64 32 bytes>" per line, the last one wraps new data keys.\n'
  + '# Losing this file loses every object it encrypted: back it up, apart from the data.\n';

/** Parses the file's text; MasterKeyFileError (naming `file`) on anything malformed or empty. */
export function parseMasterKeys(file: string, text: string): MasterKey[] {
  const keys: MasterKey[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const [id, encoded] = fields;
    if (fields.length !== 2 || !KEY_ID.test(id!)) throw new MasterKeyFileError(file, `line ${index + 1} is not "<key id> <base64 key>"`);
    if (id === RESERVED_KEY_ID) throw new MasterKeyFileError(file, `line ${index + 1}: key id ${id} is reserved for SSE-C`);
    const key = Buffer.from(encoded!, 'base64');
    if (key.length !== DATA_KEY_BYTES || key.toString('base64') !== encoded) {
      throw new MasterKeyFileError(file, `line ${index + 1}: key ${id} is not ${DATA_KEY_BYTES} bytes of base64`);
    }
    if (keys.some((known) => known.id === id)) throw new MasterKeyFileError(file, `key id ${id} appears twice`);
    keys.push({ id: id!, key });
  }
  if (keys.length === 0) throw new MasterKeyFileError(file, 'holds no key');
  return keys;
}

export function formatMasterKeys(keys: readonly MasterKey[]): string {
  return HEADER + keys.map((entry) => `${entry.id} ${entry.key.toString('base64')}\n`).join('');
}

/** Reads and parses the file; every failure (missing, unreadable, malformed) is MasterKeyFileError. */
export function readMasterKeyFile(file: string): MasterKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MasterKeyFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseMasterKeys(file, text);
}

/** A fresh key with the next free id `mk<N>`. */
export function newMasterKey(existing: readonly MasterKey[]): MasterKey {
  const taken = new Set(existing.map((entry) => entry.id));
  let number = existing.length + 1;
  while (taken.has(`mk${number}`)) number += 1;
  return { id: `mk${number}`, key: randomBytes(DATA_KEY_BYTES) };
}

/** Writes `keys` to `file` with mode 0600 through a temp file and a rename (readers see old or new, never half). */
export function writeMasterKeyFile(file: string, keys: readonly MasterKey[]): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, formatMasterKeys(keys));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** `shardgate dev`: the file's keys, generating a one-key file (0600) when there is none. */
export function ensureMasterKeyFile(file: string): MasterKey[] {
  try {
    return readMasterKeyFile(file);
  } catch (error) {
    const missing = error instanceof MasterKeyFileError && /ENOENT/.test(error.message);
    if (!missing) throw error;
  }
  const keys = [newMasterKey([])];
  writeMasterKeyFile(file, keys);
  return keys;
}

/** `shardgate keys rotate-master`: appends a new current key; returns it. */
export function rotateMasterKeyFile(file: string): MasterKey {
  // A missing file is a first key: `keys rotate-master` is also how a key file is made.
  const keys = existsSync(file) ? readMasterKeyFile(file) : [];
  const added = newMasterKey(keys);
  writeMasterKeyFile(file, [...keys, added]);
  return added;
}
