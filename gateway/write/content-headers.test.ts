import test from 'ava';
import { contentHeadersFrom } from './content-headers.ts';

const from = (headers: Record<string, string>) => contentHeadersFrom((name) => headers[name]);

test('the five representation headers are kept as sent; others are not', (t) => {
  t.deepEqual(from({
    'cache-control': 'max-age=3600', 'content-disposition': 'attachment; filename="a b.txt"', 'content-encoding': 'gzip',
    'content-language': 'de-CH', expires: 'Wed, 21 Oct 2099 07:28:00 GMT', 'content-type': 'text/plain', 'x-amz-meta-a': 'b',
  }), {
    'cache-control': 'max-age=3600', 'content-disposition': 'attachment; filename="a b.txt"', 'content-encoding': 'gzip',
    'content-language': 'de-CH', expires: 'Wed, 21 Oct 2099 07:28:00 GMT',
  });
});

test('aws-chunked is the framing, not the encoding: dropped from Content-Encoding', (t) => {
  t.deepEqual(from({ 'content-encoding': 'aws-chunked' }), {});
  t.deepEqual(from({ 'content-encoding': 'aws-chunked,gzip' }), { 'content-encoding': 'gzip' });
  t.deepEqual(from({ 'content-encoding': 'gzip, aws-chunked' }), { 'content-encoding': 'gzip' });
  t.deepEqual(from({ 'content-encoding': 'deflate, gzip' }), { 'content-encoding': 'deflate, gzip' });
  t.deepEqual(from({ 'content-encoding': 'AWS-CHUNKED' }), {});
});
