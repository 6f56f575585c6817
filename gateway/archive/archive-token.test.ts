import test from 'ava';
import type { AccessKey } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { mintArchiveToken, verifyArchiveToken, withArchiveToken } from './archive-token.ts';

const MASTER_KEY = 'a'.repeat(64);
const NOW = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-01-01T01:00:00Z');

function requestFor(key: string, accessKey: Partial<AccessKey> | null = {}): PublicReadRequest {
  const keys = accessKey && { accessKeyId: 'AKID', secretKey: 's', accountId: 'acct', createdAt: NOW, revokedAt: null, ...accessKey };
  return {
    bucket: 'videos',
    key,
    deps: { credentials: { masterKey: MASTER_KEY }, now: () => NOW, store: { getAccessKey: async () => keys } },
  } as unknown as PublicReadRequest;
}

const token = mintArchiveToken(MASTER_KEY, { bucket: 'videos', archiveKey: 'movie.zip', accessKeyId: 'AKID', expiresAt: LATER });

test('a token grants its archive and names the account and expiry', async (t) => {
  const grant = await verifyArchiveToken(requestFor('movie.zip/360p/a.m4s'), token, ['movie.zip/360p/a.m4s', 'movie.zip']);
  t.like(grant, { archiveKey: 'movie.zip', accessKeyId: 'AKID', accountId: 'acct', expiresAt: LATER });
});

async function denied(t: import('ava').ExecutionContext, promise: Promise<unknown>, message: RegExp) {
  const error = await t.throwsAsync(promise, { instanceOf: S3Error });
  t.is(error!.code, 'AccessDenied');
  t.regex(error!.message, message);
}

test('another archive, bucket, expiry or signature: AccessDenied', async (t) => {
  await denied(t, verifyArchiveToken(requestFor('other.zip/a.m4s'), token, ['other.zip/a.m4s', 'other.zip']), /does not grant this key/);
  const otherBucket = { ...requestFor('movie.zip'), bucket: 'music' } as PublicReadRequest;
  await denied(t, verifyArchiveToken(otherBucket, token, ['movie.zip']), /does not grant this key/);
  const longer = token.replace(/\.\d+\./, `.${Math.floor(LATER.getTime() / 1000) + 60}.`);
  await denied(t, verifyArchiveToken(requestFor('movie.zip'), longer, ['movie.zip']), /does not grant this key/);
  await denied(t, verifyArchiveToken(requestFor('movie.zip'), `${token.slice(0, -2)}AA`, ['movie.zip']), /does not grant this key/);
  await denied(t, verifyArchiveToken(requestFor('movie.zip'), 'garbage', ['movie.zip']), /malformed/);
});

test('an expired token or a revoked key: AccessDenied', async (t) => {
  const expired = mintArchiveToken(MASTER_KEY, { bucket: 'videos', archiveKey: 'movie.zip', accessKeyId: 'AKID', expiresAt: NOW });
  await denied(t, verifyArchiveToken(requestFor('movie.zip'), expired, ['movie.zip']), /expired/);
  await denied(t, verifyArchiveToken(requestFor('movie.zip', { revokedAt: NOW }), token, ['movie.zip']), /no longer valid/);
  await denied(t, verifyArchiveToken(requestFor('movie.zip', null), token, ['movie.zip']), /no longer valid/);
});

test('the token goes first in the query, so a URI keeps ending with its extension', (t) => {
  t.is(withArchiveToken('seg.m4s', 'T'), 'seg.m4s?X-Shardgate-Token=T');
  t.is(withArchiveToken('../m.zip?range=1,2&ext=.m4s', 'T'), '../m.zip?X-Shardgate-Token=T&range=1,2&ext=.m4s');
  t.is(withArchiveToken('a.vtt#t=1', 'T'), 'a.vtt?X-Shardgate-Token=T#t=1');
});
