import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError } from './flags.ts';
import { readSecretSetting } from './secret-setting.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'secret-setting-'));
const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};

test('a secret comes from its value or its file, trimmed; neither is null', (t) => {
  t.is(readSecretSetting('metrics-token', 'abc', undefined), 'abc');
  t.is(readSecretSetting('metrics-token', undefined, file('ok', '  s3cr3t\n')), 's3cr3t');
  t.is(readSecretSetting('metrics-token', '', file('ok2', 's3cr3t')), 's3cr3t', 'an empty value counts as not given');
  t.is(readSecretSetting('metrics-token', undefined, undefined), null);
  t.is(readSecretSetting('metrics-token', '', undefined), null);
});

test('both, an unreadable file or a file of several tokens are one-line errors that never show the secret', (t) => {
  t.throws(() => readSecretSetting('metrics-token', 'abc', file('both', 'xyz')), { instanceOf: ConfigError, message: 'give --metrics-token or --metrics-token-file, not both' });
  t.throws(() => readSecretSetting('metrics-token', undefined, path.join(dir, 'missing')), { instanceOf: ConfigError, message: /^--metrics-token-file: cannot read .*missing \(ENOENT\)$/ });
  const error = t.throws(() => readSecretSetting('join-token', undefined, file('two', 'first-secret second-secret\n')), { instanceOf: ConfigError });
  t.regex(error.message, /^--join-token-file: .* must hold one token$/);
  t.notRegex(error.message, /first-secret|second-secret/);
  t.throws(() => readSecretSetting('join-token', undefined, file('empty', '\n')), { message: /must hold one token/ });
});
