/**
 * Request signing between the gateway and a shard node. Every request except `/health` carries
 *
 *   x-shardgate-expires:   unix seconds after which the request is refused
 *   x-shardgate-signature: hex HMAC-SHA256(secret, `${METHOD}\n${pathWithQuery}\n${range}\n${expires}`)
 *
 * where `pathWithQuery` is the request target exactly as sent (no normalisation, no re-encoding)
 * and `range` is the Range header value or the empty string. The per-node secret is random, kept
 * in the gateway's metadata with an epoch, and handed only to the node that proved its identity at
 * registration (see node-key.ts); every registration rotates it.
 *
 * Within its lifetime a signed request can be replayed by whoever sees it: keep lifetimes short
 * and put TLS in front of nodes that are reached over untrusted networks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const NODE_EXPIRES_HEADER = 'x-shardgate-expires';
export const NODE_SIGNATURE_HEADER = 'x-shardgate-signature';

export interface NodeRequestToSign {
  readonly method: string;
  /** The request target as sent on the wire, e.g. `/shards/<id>?chunkSize=65536`. */
  readonly pathWithQuery: string;
  /** The Range header value, when the request has one. */
  readonly range?: string | undefined;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** Header lookup: a function (lower-case name) or a plain record with lower-case keys. */
export type NodeRequestHeaders =
  | ((name: string) => string | null | undefined)
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface NodeRequestToVerify {
  readonly method: string;
  readonly pathWithQuery: string;
  readonly range?: string | undefined;
  readonly headers: NodeRequestHeaders;
}

export type NodeSignatureVerdict = 'ok' | 'missing' | 'expired' | 'forged';

const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const EXPIRES_PATTERN = /^[0-9]{1,15}$/;

function stringToSign(method: string, pathWithQuery: string, range: string | undefined, expiresAt: string): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${range ?? ''}\n${expiresAt}`;
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** The two headers to add to a request. */
export function signNodeRequest(secret: string, request: NodeRequestToSign): Record<string, string> {
  if (!Number.isSafeInteger(request.expiresAt) || request.expiresAt < 0) {
    throw new RangeError(`expiresAt must be unix seconds, got ${request.expiresAt}`);
  }
  const expires = String(request.expiresAt);
  return {
    [NODE_EXPIRES_HEADER]: expires,
    [NODE_SIGNATURE_HEADER]: hmacHex(secret, stringToSign(request.method, request.pathWithQuery, request.range, expires)),
  };
}

function readHeader(headers: NodeRequestHeaders, name: string): string | undefined {
  const value = typeof headers === 'function' ? headers(name) : headers[name];
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

/**
 * Checks the signature headers of a request. The signature is checked before the expiry, so a
 * request only counts as 'expired' when it was genuinely signed with this secret.
 */
export function verifyNodeRequest(
  secret: string,
  request: NodeRequestToVerify,
  nowUnixSeconds: number,
): NodeSignatureVerdict {
  const expires = readHeader(request.headers, NODE_EXPIRES_HEADER);
  const signature = readHeader(request.headers, NODE_SIGNATURE_HEADER);
  if (expires === undefined || signature === undefined || expires === '' || signature === '') return 'missing';
  if (!EXPIRES_PATTERN.test(expires) || !SIGNATURE_PATTERN.test(signature)) return 'forged';
  const expected = Buffer.from(hmacHex(secret, stringToSign(request.method, request.pathWithQuery, request.range, expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'forged';
  return Number(expires) < nowUnixSeconds ? 'expired' : 'ok';
}
