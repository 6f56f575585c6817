/**
 * SigV4 headers for raw HTTP requests (a slow or stalled upload, an oversized body) that the SDK
 * would not send: signed by the SDK's own signer with UNSIGNED-PAYLOAD, so the body is free.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

export interface SigningTarget {
  readonly gatewayUrl: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Headers for `method` on `pathWithQuery` (e.g. `/bkt/key` or `/bkt?cors`) with the given extra headers. */
export async function signedHeaders(
  target: SigningTarget,
  method: string,
  pathWithQuery: string,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL(`${target.gatewayUrl}${pathWithQuery}`);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: target.credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signed = await signer.sign({
    method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query,
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
  });
  return signed.headers as Record<string, string>;
}

/** The hash constructor the Smithy signer wants, over node:crypto. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
