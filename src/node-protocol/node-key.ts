/**
 * Node identity proofs: every shard node holds an Ed25519 key pair; its public key is registered
 * with the gateway at the node's first registration, and from then on only a message signed by
 * that key can re-register the node id, move its URL, rotate its request secret or heartbeat for
 * it. The join token admits new identities only.
 *
 * Signed messages are canonical text, one field per line, prefixed with a purpose string so a
 * signature for one purpose can never be replayed as another:
 *
 *   shardgate-node-register-v1\n<nodeId>\n<url>\n<zone>\n<publicKey>\n<signedAtMs>
 *   shardgate-node-heartbeat-v1\n<nodeId>\n<url>\n<freeBytes>\n<capacityBytes>\n<signedAtMs>
 *
 * `signedAtMs` is gateway time (the node measures the gateway's clock): the gateway accepts a
 * message only within `SIGNED_AT_WINDOW_MS` of its own clock and only when it is newer than the
 * last one it accepted from that node, so a captured message cannot be replayed.
 *
 * Keys travel as base64url of the raw 32-byte public key (the JWK `x` member); signatures as
 * base64url of the 64 signature bytes.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** How far a signed timestamp may be from the gateway's clock, either way. */
export const SIGNED_AT_WINDOW_MS = 5 * 60 * 1000;

const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;

export interface RegistrationToSign {
  readonly nodeId: string;
  readonly url: string;
  readonly zone: string;
  readonly publicKey: string;
  readonly signedAtMs: number;
}

export interface HeartbeatToSign {
  readonly nodeId: string;
  readonly url: string;
  readonly freeBytes: number;
  readonly capacityBytes: number;
  readonly signedAtMs: number;
}

export function registrationMessage(message: RegistrationToSign): string {
  return ['shardgate-node-register-v1', message.nodeId, message.url, message.zone, message.publicKey, String(message.signedAtMs)].join('\n');
}

export function heartbeatMessage(message: HeartbeatToSign): string {
  return ['shardgate-node-heartbeat-v1', message.nodeId, message.url, String(message.freeBytes), String(message.capacityBytes), String(message.signedAtMs)].join('\n');
}

export function scrubReportMessage(message: { readonly nodeId: string; readonly signedAtMs: number; readonly corruptShards: readonly string[] }): string {
  return ['shardgate-node-scrub-report-v1', message.nodeId, String(message.signedAtMs), ...message.corruptShards].join('\n');
}

export function generateNodeKeyPair(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** The PKCS#8 PEM of a private key, and back (throws on anything that is not an Ed25519 key). */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function importPrivateKeyPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** base64url of the raw public key of `privateKey`. */
export function publicKeyOf(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x?: string };
  if (typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return jwk.x;
}

export function isWellFormedPublicKey(publicKey: string): boolean {
  return PUBLIC_KEY_PATTERN.test(publicKey);
}

export function signWithNodeKey(privateKey: KeyObject, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url');
}

/** Parsed public keys: importing one costs more than verifying with it. Bounded; cleared when full. */
const PUBLIC_KEY_CACHE_ENTRIES = 4096;
const publicKeys = new Map<string, KeyObject>();

function importPublicKey(publicKey: string): KeyObject | null {
  const cached = publicKeys.get(publicKey);
  if (cached) return cached;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return null;
  }
  if (publicKeys.size >= PUBLIC_KEY_CACHE_ENTRIES) publicKeys.clear();
  publicKeys.set(publicKey, key);
  return key;
}

/** False for a malformed key or signature as well as for a signature that does not match. */
export function verifyNodeKeySignature(publicKey: string, message: string, signature: string): boolean {
  if (!PUBLIC_KEY_PATTERN.test(publicKey) || !SIGNATURE_PATTERN.test(signature)) return false;
  const key = importPublicKey(publicKey);
  return key !== null && verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64url'));
}
