import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../../src/s3/errors.ts';
import type { PublicReadRequest } from '../s3-request.ts';

/**
 * Archive tokens: what lets a player given ONE presigned `master.m3u8` link play the whole
 * stream. When a playlist member is served through a valid presigned URL (or through a token),
 * every URI in it gets `X-Shardgate-Token=<access key>.<expiry>.<signature>`: a gateway HMAC
 * (keyed from the gateway's master key) over bucket, archive key, expiry and the presigner's
 * access key. A token lets an unsigned GET or HEAD read that archive object and its members, as
 * the presigner, until the presigned URL's own expiry, and nothing else: not another key, not a
 * listing, not a write, not after the access key is revoked.
 */
export const ARCHIVE_TOKEN_PARAMETER = 'X-Shardgate-Token';

export interface ArchiveGrant {
  readonly token: string;
  readonly bucket: string;
  readonly archiveKey: string;
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly expiresAt: Date;
}

interface TokenScope {
  readonly bucket: string;
  readonly archiveKey: string;
  readonly accessKeyId: string;
  readonly expiresAt: Date;
}

function signingKey(masterKey: string): Buffer {
  return createHmac('sha256', masterKey).update('shardgate archive token v1').digest();
}

function signature(masterKey: string, scope: TokenScope): Buffer {
  const expires = Math.floor(scope.expiresAt.getTime() / 1000);
  return createHmac('sha256', signingKey(masterKey)).update(`${scope.bucket}\n${scope.archiveKey}\n${expires}\n${scope.accessKeyId}`).digest();
}

export function mintArchiveToken(masterKey: string, scope: TokenScope): string {
  return `${scope.accessKeyId}.${Math.floor(scope.expiresAt.getTime() / 1000)}.${signature(masterKey, scope).toString('base64url')}`;
}

/**
 * The grant a token gives for a request whose key is one of `archiveKeys` (the key itself, or the
 * archive keys of its member path): AccessDenied when it is malformed, signed for another
 * archive, expired, or its access key is revoked.
 */
export async function verifyArchiveToken(request: PublicReadRequest, token: string, archiveKeys: readonly string[]): Promise<ArchiveGrant> {
  const denied = (message: string) => new S3Error('AccessDenied', { message, resource: `/${request.bucket}/${request.key}` });
  const match = /^([^.]+)\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) throw denied('The archive token is malformed.');
  const [, accessKeyId, expires, provided] = match as unknown as [string, string, string, string];
  const expiresAt = new Date(Number(expires) * 1000);
  const providedBytes = Buffer.from(provided, 'base64url');
  const { masterKey } = request.deps.credentials;
  const archiveKey = archiveKeys.find((candidate) => {
    const expected = signature(masterKey, { bucket: request.bucket, archiveKey: candidate, accessKeyId, expiresAt });
    return expected.length === providedBytes.length && timingSafeEqual(expected, providedBytes);
  });
  if (archiveKey === undefined) throw denied('The archive token does not grant this key.');
  if (expiresAt.getTime() <= request.deps.now().getTime()) throw denied('Request has expired');
  const key = await request.deps.store.getAccessKey(accessKeyId);
  if (!key || key.revokedAt !== null) throw denied('The archive token was issued with an access key that is no longer valid.');
  return { token, bucket: request.bucket, archiveKey, accessKeyId, accountId: key.accountId, expiresAt };
}

/**
 * `uri` with the token as the first query parameter, so a URI that ends with its media type's
 * extension (`?ext=.m4s`, which libavformat checks) still does.
 */
export function withArchiveToken(uri: string, token: string): string {
  const question = uri.indexOf('?');
  const parameter = `${ARCHIVE_TOKEN_PARAMETER}=${encodeURIComponent(token)}`;
  if (question === -1) {
    const hash = uri.indexOf('#');
    return hash === -1 ? `${uri}?${parameter}` : `${uri.slice(0, hash)}?${parameter}${uri.slice(hash)}`;
  }
  return `${uri.slice(0, question)}?${parameter}&${uri.slice(question + 1)}`;
}
