/**
 * The few S3 calls the archive commands make, SigV4-signed with the pure functions of
 * `src/s3/sigv4-canonical.ts` (no AWS SDK at run time): HEAD an object, GET a byte range, and PUT
 * a stream of known length (`UNSIGNED-PAYLOAD`, so the archive streams straight from the packer
 * to the gateway with a Content-Length and is never buffered or hashed twice).
 */
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { formatRangeRequest } from '../byte-range.ts';
import { EMPTY_SHA256_HEX } from '../s3/sigv4-canonical.ts';
import type { Span } from '../span.ts';
import { objectPath, formatS3Url, type S3Location } from './s3-location.ts';
import { signRequest, type S3Endpoint } from './s3-request-signer.ts';
import type { ByteSource } from './zip-reader.ts';

export type { S3Endpoint } from './s3-request-signer.ts';

/** A non-2xx answer, with the S3 error code from its XML body when there is one. */
export class S3RequestError extends Error {
  override readonly name = 'S3RequestError';
  constructor(readonly status: number, readonly s3Code: string | null, message: string) {
    super(message);
  }
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export class S3ObjectClient {
  constructor(private readonly endpoint: S3Endpoint, private readonly now: () => Date = () => new Date()) {}

  /** The object's size in bytes. */
  async size(location: S3Location): Promise<number> {
    const response = await this.#send('HEAD', location, {}, EMPTY_SHA256_HEX);
    await response.body.dump();
    await this.#check(response, location, 'HEAD');
    return Number(response.headers['content-length']);
  }

  async readRange(location: S3Location, span: Span): Promise<Uint8Array> {
    if (span.length === 0) return new Uint8Array(0);
    const range = formatRangeRequest(span);
    const response = await this.#send('GET', location, { range }, EMPTY_SHA256_HEX);
    await this.#check(response, location, 'GET');
    return new Uint8Array(await response.body.arrayBuffer());
  }

  /** Streams `length` bytes of `body` into the object. */
  async put(location: S3Location, body: AsyncIterable<Uint8Array>, length: number, contentType: string): Promise<void> {
    const response = await this.#send('PUT', location, { 'content-length': String(length), 'content-type': contentType }, UNSIGNED_PAYLOAD, Readable.from(body));
    await this.#check(response, location, 'PUT');
    await response.body.dump();
  }

  /** A `ByteSource` over the object, for `readZipDirectory`. */
  async byteSource(location: S3Location): Promise<ByteSource> {
    const size = await this.size(location);
    return { size, read: (span) => this.readRange(location, span) };
  }

  async #send(method: 'GET' | 'HEAD' | 'PUT', location: S3Location, extraHeaders: Record<string, string>, payloadHash: string, body?: Readable): Promise<Dispatcher.ResponseData> {
    const url = new URL(this.endpoint.url);
    url.pathname = `${url.pathname.replace(/\/$/, '')}${objectPath(location)}`;
    const headers = signRequest({ method, url, headers: extraHeaders, payloadHash, endpoint: this.endpoint, now: this.now() });
    return request(url, { method, headers, body: body ?? null });
  }

  async #check(response: Dispatcher.ResponseData, location: S3Location, method: string): Promise<void> {
    if (response.statusCode >= 200 && response.statusCode < 300) return;
    const text = method === 'HEAD' ? '' : await response.body.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? null;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? null;
    const detail = [code, message].filter(Boolean).join(': ') || (response.statusCode === 404 ? 'not found' : 'request failed');
    throw new S3RequestError(response.statusCode, code, `${method} ${formatS3Url(location)}: ${response.statusCode} ${detail}`);
  }
}
