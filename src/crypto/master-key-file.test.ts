import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  ensureMasterKeyFile, formatMasterKeys, MasterKeyFileError, newMasterKey, parseMasterKeys, readMasterKeyFile, rotateMasterKeyFile,
} from './master-key-file.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'shardgate-master-key-'));

test('ensureMasterKeyFile generates a 0600 file once, then reads it back unchanged', (t) => {
  const file = path.join(dir(), 'master.key');
  const [generated] = ensureMasterKeyFile(file);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(generated!.key.length, 32);
  t.deepEqual(ensureMasterKeyFile(file), [generated]);
  t.deepEqual(readMasterKeyFile(file), [generated]);
});

test('rotation appends a new current key and keeps the old ones', (t) => {
  const file = path.join(dir(), 'master.key');
  const [first] = ensureMasterKeyFile(file);
  const added = rotateMasterKeyFile(file);
  t.not(added.id, first!.id);
  t.deepEqual(readMasterKeyFile(file), [first, added]);
  t.is(statSync(file).mode & 0o777, 0o600);
});

test('rotation of a missing file makes it with one key, mode 0600', (t) => {
  const file = path.join(dir(), 'new.key');
  const first = rotateMasterKeyFile(file);
  t.deepEqual(readMasterKeyFile(file), [first]);
  t.is(statSync(file).mode & 0o777, 0o600);
});

test('formatting and parsing round-trip; comments and blank lines are ignored', (t) => {
  const keys = [newMasterKey([])];
  keys.push(newMasterKey(keys));
  t.deepEqual(parseMasterKeys('f', `\n# comment\n${formatMasterKeys(keys)}\n`), keys);
});

test('a malformed, empty, duplicate or missing file is one MasterKeyFileError naming the file, never the key', (t) => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const cases: Array<[string, RegExp]> = [
    ['', /holds no key/],
    ['# only a comment\n', /holds no key/],
    [`mk1 ${key} extra\n`, /line 1/],
    [`bad/id ${key}\n`, /line 1/],
    [`mk1 ${Buffer.alloc(16).toString('base64')}\n`, /not 32 bytes/],
    ['mk1 %%%notbase64%%%\n', /not 32 bytes/],
    [`mk1 ${key}\nmk1 ${key}\n`, /appears twice/],
  ];
  for (const [text, reason] of cases) {
    const error = t.throws(() => parseMasterKeys('/etc/sg/master.key', text), { instanceOf: MasterKeyFileError });
    t.regex(error.message, /^master key file \/etc\/sg\/master\.key: /);
    t.regex(error.message, reason);
    t.false(error.message.includes(key));
  }
  const missing = path.join(dir(), 'nope.key');
  t.throws(() => readMasterKeyFile(missing), { instanceOf: MasterKeyFileError, message: /nope\.key: cannot be read \(ENOENT\)/ });
  const folder = dir();
  const bad = path.join(folder, 'bad.key');
  writeFileSync(bad, 'garbage\n');
  t.throws(() => ensureMasterKeyFile(bad), { instanceOf: MasterKeyFileError });
  t.is(readFileSync(bad, 'utf8'), 'garbage\n', 'a malformed file is never overwritten');
});
