import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError } from '../src/config/flags.ts';
import { ensureMasterKeyFile, newMasterKey, readMasterKeyFile, rotateMasterKeyFile, writeMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { MasterKeyRing, UnknownKeyError } from '../src/crypto/segment-keys.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { GatewayMasterKeys, loadMasterKeys } from './master-keys.ts';

const keyFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'shardgate-gw-keys-')), 'master.key');

test('the metadata remembers its keys: a file that lost or changed one is refused; added keys are fine', async (t) => {
  const store = SqliteMetaStore.open(':memory:');
  t.teardown(() => store.close());
  const file = keyFile();
  const [first] = ensureMasterKeyFile(file);
  t.deepEqual(await loadMasterKeys(store, file), [first]);
  const second = rotateMasterKeyFile(file);
  t.is((await loadMasterKeys(store, file)).length, 2);
  writeMasterKeyFile(file, [first!]);
  await t.throwsAsync(loadMasterKeys(store, file), { instanceOf: ConfigError, message: /lacks key mk2/ });
  writeMasterKeyFile(file, [{ id: 'mk1', key: newMasterKey([]).key }, second]);
  await t.throwsAsync(loadMasterKeys(store, file), { instanceOf: ConfigError, message: /key mk1 is not the key this metadata was written with/ });
});

test('a gateway re-reads the file when a segment names a key it lacks, and only if the loaded keys are unchanged', async (t) => {
  const store = SqliteMetaStore.open(':memory:');
  t.teardown(() => store.close());
  const file = keyFile();
  ensureMasterKeyFile(file);
  let nowMs = 10_000;
  const gateway = new GatewayMasterKeys(file, await loadMasterKeys(store, file), () => nowMs);
  t.is(gateway.current.id, 'mk1');
  rotateMasterKeyFile(file);
  const other = new MasterKeyRing(readMasterKeyFile(file));
  const sealed = other.seal('seg');
  t.deepEqual(gateway.open('seg', sealed.encryption), sealed.cipherKey, 'reloaded and opened');
  t.is(gateway.current.id, 'mk2', 'new writes use the newest key from then on');

  // A file whose mk1 changed is not taken.
  const [, mk2] = readMasterKeyFile(file);
  writeMasterKeyFile(file, [{ id: 'mk1', key: newMasterKey([]).key }, mk2!, { id: 'mk3', key: newMasterKey([]).key }]);
  const third = new MasterKeyRing(readMasterKeyFile(file)).seal('seg3');
  nowMs += 5000;
  t.throws(() => gateway.open('seg3', third.encryption), { instanceOf: UnknownKeyError });
});
