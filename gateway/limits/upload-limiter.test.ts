import test from 'ava';
import { rejection } from '../../src/testing/s3-rejection.ts';
import { UploadLimiter } from './upload-limiter.ts';

const refusal = async (run: () => unknown) => rejection(Promise.resolve().then(run));

test('a client past its own limit gets SlowDown while others still upload', async (t) => {
  const limiter = new UploadLimiter({ maxUploads: 10, maxUploadsPerClient: 2 });
  const a1 = limiter.acquire('a');
  limiter.acquire('a');
  const error = await refusal(() => limiter.acquire('a'));
  t.is(error.code, 'SlowDown');
  t.is(error.status, 503);
  t.notThrows(() => limiter.acquire('b'));
  a1();
  a1(); // releasing twice gives back one slot
  t.notThrows(() => limiter.acquire('a'));
  t.is(limiter.inProgress, 3);
});

test('the global limit holds across clients, and released slots are reusable', async (t) => {
  const limiter = new UploadLimiter({ maxUploads: 3, maxUploadsPerClient: 3 });
  const releases = ['a', 'b', 'c'].map((client) => limiter.acquire(client));
  t.is((await refusal(() => limiter.acquire('d'))).code, 'SlowDown');
  releases[1]!();
  t.notThrows(() => limiter.acquire('d'));
  t.is(limiter.inProgress, 3);
});
