import { randomBytes } from 'node:crypto';
import test from 'ava';
import { CUSTOMER_KEY_ID, CustomerKeys, customerEtag, isCustomerKeyOf, newCustomerEncryption } from './customer-keys.ts';
import { KeyUnwrapError } from './key-wrap.ts';

test('an SSE-C record recognises its key and no other, and never contains it', (t) => {
  const key = randomBytes(32);
  const record = newCustomerEncryption(key);
  t.true(isCustomerKeyOf(record, key));
  t.false(isCustomerKeyOf(record, randomBytes(32)));
  t.false(JSON.stringify(record).includes(key.toString('base64')));
  t.not(newCustomerEncryption(key).keySalt, record.keySalt, 'a fresh salt per object');
  t.not(newCustomerEncryption(key).keyHmac, record.keyHmac, 'so the same key is not recognisable across objects');
});

test('segment keys sealed under a customer key open only with it (and the same salt)', (t) => {
  const key = randomBytes(32);
  const record = newCustomerEncryption(key);
  const sealed = new CustomerKeys(record, key).seal('seg');
  t.is(sealed.encryption.keyId, CUSTOMER_KEY_ID);
  t.deepEqual(new CustomerKeys(record, key).open('seg', sealed.encryption), sealed.cipherKey);
  t.throws(() => new CustomerKeys(record, randomBytes(32)).open('seg', sealed.encryption), { instanceOf: KeyUnwrapError });
  t.throws(() => new CustomerKeys(newCustomerEncryption(key), key).open('seg', sealed.encryption), { instanceOf: KeyUnwrapError });
  t.throws(() => new CustomerKeys(record, key).open('other', sealed.encryption), { instanceOf: KeyUnwrapError });
});

test('the SSE-C ETag is stable for the same bytes, key and object, and is not the plaintext MD5', (t) => {
  const key = randomBytes(32);
  const record = newCustomerEncryption(key);
  const md5 = '"5d41402abc4b2a76b9719d911017c592"';
  const etag = customerEtag(record, key, md5);
  t.regex(etag, /^"[0-9a-f]{32}"$/);
  t.is(customerEtag(record, key, md5), etag);
  t.not(etag, md5);
  t.not(customerEtag(record, randomBytes(32), md5), etag);
});
