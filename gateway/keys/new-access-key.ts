import { randomBytes } from 'node:crypto';

/** `SG` + 18 upper-case hex digits: recognisable as shardgate's, 72 random bits. */
export function newAccessKeyId(): string {
  return `SG${randomBytes(9).toString('hex').toUpperCase()}`;
}

/** 40 base64url characters (240 random bits): within the alphabet every SDK and shell takes as is. */
export function newSecretKey(): string {
  return randomBytes(30).toString('base64url');
}
