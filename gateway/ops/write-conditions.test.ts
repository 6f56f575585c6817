import test from 'ava';
import { CommitPreconditionError } from '../../src/meta/store.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { checkWritePrecondition, commitPreconditionS3Error, writePrecondition } from './write-conditions.ts';

const headers = (values: Record<string, string>) => (name: string) => values[name];
const CURRENT = { etag: '"0123456789abcdef0123456789abcdef"' } as ObjectVersion;

function code(run: () => unknown): [string, number] {
  try {
    run();
  } catch (error) {
    if (error instanceof S3Error) return [error.code, error.status];
    throw error;
  }
  return ['none', 0];
}

test('the headers a conditional PUT may carry', (t) => {
  t.is(writePrecondition(headers({})), undefined);
  t.deepEqual(writePrecondition(headers({ 'if-none-match': '*' })), { kind: 'absent' });
  t.deepEqual(writePrecondition(headers({ 'if-match': '0123456789abcdef0123456789abcdef' })), { kind: 'etag', etag: CURRENT.etag }, 'quotes are optional');
  t.deepEqual(writePrecondition(headers({ 'if-match': 'W/"abc"' })), { kind: 'etag', etag: '"abc"' });
  t.deepEqual(writePrecondition(headers({ 'if-match': '*' })), { kind: 'etag', etag: '*' });
  t.deepEqual(code(() => writePrecondition(headers({ 'if-none-match': '"abc"' }))), ['NotImplemented', 501]);
  t.deepEqual(code(() => writePrecondition(headers({ 'if-none-match': '*', 'if-match': '*' }))), ['NotImplemented', 501]);
});

test('before the upload: 412 for a taken key or another ETag, 404 for If-Match on nothing', (t) => {
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'absent' }, null, 'b', 'k')), ['none', 0]);
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'absent' }, CURRENT, 'b', 'k')), ['PreconditionFailed', 412]);
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'etag', etag: CURRENT.etag }, CURRENT, 'b', 'k')), ['none', 0]);
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'etag', etag: '*' }, CURRENT, 'b', 'k')), ['none', 0]);
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'etag', etag: '"other"' }, CURRENT, 'b', 'k')), ['PreconditionFailed', 412]);
  t.deepEqual(code(() => checkWritePrecondition({ kind: 'etag', etag: '*' }, null, 'b', 'k')), ['NoSuchKey', 404]);
});

test('at commit: a write that finished first is 412; a delete meanwhile is 409 ConditionalRequestConflict', (t) => {
  const mapped = (reason: 'exists' | 'absent' | 'etag') => {
    const error = commitPreconditionS3Error(new CommitPreconditionError('b', 'k', reason));
    return [error.code, error.status, error.extra?.Condition];
  };
  t.deepEqual(mapped('exists'), ['PreconditionFailed', 412, 'If-None-Match']);
  t.deepEqual(mapped('etag'), ['PreconditionFailed', 412, 'If-Match']);
  t.deepEqual(mapped('absent'), ['ConditionalRequestConflict', 409, undefined]);
});
