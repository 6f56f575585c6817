import test from 'ava';
import { defaultBaseDomains, hostnameOf } from './addressing.ts';

test('Host → hostname: port, case and a trailing dot removed; IPv6 literals kept', (t) => {
  t.is(hostnameOf('Bucket.S3.Example.COM:443'), 'bucket.s3.example.com');
  t.is(hostnameOf('example.com.'), 'example.com');
  t.is(hostnameOf('[::1]:9000'), '[::1]');
  t.is(hostnameOf(undefined), '');
});

test('default base domains: the listen host and localhost, never a wildcard address', (t) => {
  t.deepEqual(defaultBaseDomains('127.0.0.1'), ['127.0.0.1', 'localhost']);
  t.deepEqual(defaultBaseDomains('s3.example.com'), ['s3.example.com', 'localhost']);
  t.deepEqual(defaultBaseDomains('0.0.0.0'), ['localhost']);
  t.deepEqual(defaultBaseDomains('localhost'), ['localhost']);
});
