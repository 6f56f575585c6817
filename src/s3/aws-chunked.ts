/**
 * Streaming decoder of `Content-Encoding: aws-chunked` request bodies (S3 streaming uploads):
 *
 *   hex-size[;chunk-signature=<64 hex>]\r\n <size bytes> \r\n   … repeated …
 *   0[;chunk-signature=<64 hex>]\r\n
 *   [name:value\r\n …] [x-amz-trailer-signature:<64 hex>\r\n]
 *   \r\n
 *
 * Shape: a push parser (`push(buffer) → payload slices`, `end()`) wrapped by the async generator
 * `decode(source)`, which works on any `AsyncIterable<Uint8Array>` — a Node `IncomingMessage`,
 * a web stream — and composes with `stream.pipeline(source, (s) => decoder.decode(s), sink)`.
 * The push parser is what the tests split at every byte boundary.
 *
 * Payload bytes are never walked in JS: chunk headers and trailer lines are found with
 * `Buffer.indexOf(CRLF)`, payload leaves as `subarray` views of the input (no copy) and is hashed
 * by `crypto.Hash.update` for signed modes. Consequence: a chunk's bytes are emitted before its
 * signature (which covers the whole chunk) is checked at the chunk's end; a bad signature throws
 * from that `push`/`next()`. Consumers must treat the payload as provisional until the iterator
 * completes — the gateway's write path does (nothing is visible before the final commit).
 *
 * Errors (S3Error): framing (bad size line, missing CRLF, truncated body, bytes after the end,
 * length ≠ x-amz-decoded-content-length, trailers where none are allowed) → IncompleteBody;
 * missing or wrong chunk/trailer signature → SignatureDoesNotMatch.
 *
 * Tolerated variants: in trailer modes an empty line right after the final chunk (some tools
 * write `0;…\r\n\r\n` before the trailers), and a missing final empty line at end of input
 * after a verified x-amz-trailer-signature (the signature already proves the trailers whole).
 * Nothing else may be truncated: every other proper prefix of a body fails with IncompleteBody.
 */
import { createHash, type Hash } from 'node:crypto';
import { S3Error } from './errors.ts';
import { EMPTY_SHA256_HEX, hmacSha256, sha256Hex } from './sigv4-canonical.ts';
import { signatureMatches, type ChunkSigningContext, type StreamingPayloadMode } from './sigv4.ts';

export interface AwsChunkedOptions {
  readonly payloadMode: StreamingPayloadMode;
  /** Required for 'streaming-signed' and 'streaming-signed-trailer' (a `SigV4Auth` will do). */
  readonly signing?: ChunkSigningContext;
  /** The x-amz-decoded-content-length header, when the client sent one. */
  readonly decodedContentLength?: number;
  /**
   * The x-amz-trailer header (comma-separated names), when the client sent one: each named
   * trailer must arrive and no other may. Without it any `name:value` trailers are accepted.
   */
  readonly declaredTrailers?: string;
  /** Longest chunk-header or trailer line accepted (without CRLF); default 4096. */
  readonly maxLineLength?: number;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const MAX_TRAILERS = 32;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const CHUNK_SIZE_PATTERN = /^[0-9a-fA-F]{1,13}$/;
const BARE_CR_OR_LF = /[\r\n]/;
const OPTIONAL_WHITESPACE = /^[ \t]+|[ \t]+$/g;

type State = 'chunk-header' | 'chunk-data' | 'chunk-data-crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder {
  private readonly signing: ChunkSigningContext | null;
  private readonly expectsTrailers: boolean;
  private readonly decodedContentLength: number | undefined;
  private readonly declaredTrailers: ReadonlySet<string> | null;
  private readonly maxLineLength: number;

  private state: State = 'chunk-header';
  private failure: S3Error | null = null;
  private pendingLine: Buffer | null = null;
  private chunkRemaining = 0;
  private chunkIsFinal = false;
  private chunkHash: Hash | null = null;
  private chunkSignature = '';
  private previousSignature: string;
  private crlfMatched = 0;
  private decodedBytes = 0;
  private announcedBytes = 0;
  private readonly trailerMap = new Map<string, string>();
  private canonicalTrailers = '';
  private trailerSigned = false;
  private sawEmptyLine = false;

  constructor(options: AwsChunkedOptions) {
    const signed = options.payloadMode === 'streaming-signed' || options.payloadMode === 'streaming-signed-trailer';
    if (signed && options.signing === undefined) throw new TypeError(`${options.payloadMode} needs a signing context`);
    this.signing = signed ? options.signing! : null;
    this.previousSignature = this.signing?.seedSignature ?? '';
    this.expectsTrailers = options.payloadMode !== 'streaming-signed';
    this.decodedContentLength = options.decodedContentLength;
    this.declaredTrailers =
      options.declaredTrailers === undefined
        ? null
        : new Set(options.declaredTrailers.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''));
    this.maxLineLength = options.maxLineLength ?? 4096;
  }

  /** Trailing headers (lower-case names, x-amz-trailer-signature excluded); complete once done. */
  get trailers(): ReadonlyMap<string, string> {
    return this.trailerMap;
  }

  /** Payload bytes emitted so far. */
  get decodedLength(): number {
    return this.decodedBytes;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Decodes a whole stream; throws S3Error from `next()` on the first framing or signature fault. */
  async *decode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, void, undefined> {
    for await (const piece of source) {
      const input = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      for (const payload of this.push(input)) yield payload;
    }
    this.end();
  }

  /** Feeds encoded bytes; returns the payload they carry as views into `input`. */
  push(input: Buffer): Buffer[] {
    if (this.failure !== null) throw this.failure;
    try {
      return this.consume(input);
    } catch (error) {
      if (error instanceof S3Error) this.failure = error;
      throw error;
    }
  }

  /** Marks the end of input: throws IncompleteBody unless the body ended completely. */
  end(): void {
    if (this.failure !== null) throw this.failure;
    // Tolerated at end of input: no final empty line after a verified trailer signature, and
    // (trailer modes) a body that ended with an empty line and no trailers at all.
    const trailersEnded =
      this.state === 'trailer' &&
      this.pendingLine === null &&
      (this.trailerSigned || (this.sawEmptyLine && this.trailerMap.size === 0));
    if (trailersEnded) this.finishTrailers();
    if (this.state !== 'done') {
      throw this.fail('IncompleteBody', 'The aws-chunked body ended before its final chunk and trailers.');
    }
    if (this.decodedContentLength !== undefined && this.decodedBytes !== this.decodedContentLength) {
      throw this.fail(
        'IncompleteBody',
        `The aws-chunked body carried ${this.decodedBytes} bytes, x-amz-decoded-content-length says ${this.decodedContentLength}.`,
      );
    }
  }

  private consume(input: Buffer): Buffer[] {
    const payload: Buffer[] = [];
    let offset = 0;
    while (offset < input.length) {
      switch (this.state) {
        case 'chunk-header':
        case 'trailer': {
          const taken = this.takeLine(input, offset);
          if (taken === null) return payload;
          offset = taken.next;
          if (this.state === 'chunk-header') this.startChunk(taken.line);
          else this.acceptTrailerLine(taken.line);
          break;
        }
        case 'chunk-data': {
          const length = Math.min(this.chunkRemaining, input.length - offset);
          const slice = input.subarray(offset, offset + length);
          this.chunkHash?.update(slice);
          payload.push(slice);
          this.decodedBytes += length;
          offset += length;
          this.chunkRemaining -= length;
          if (this.chunkRemaining === 0) this.state = 'chunk-data-crlf';
          break;
        }
        case 'chunk-data-crlf': {
          if (input[offset] !== CRLF[this.crlfMatched]) {
            throw this.fail('IncompleteBody', 'An aws-chunked chunk is not followed by CRLF.');
          }
          offset += 1;
          this.crlfMatched += 1;
          if (this.crlfMatched === 2) this.finishChunk();
          break;
        }
        case 'done':
          throw this.fail('IncompleteBody', 'Unexpected bytes after the end of the aws-chunked body.');
      }
    }
    return payload;
  }

  /** The next CRLF-terminated line (latin1), or null when `input` ran out first (kept pending). */
  private takeLine(input: Buffer, offset: number): { line: string; next: number } | null {
    const pending = this.pendingLine;
    const window = pending === null ? input : Buffer.concat([pending, input.subarray(offset, offset + this.maxLineLength + 2)]);
    const start = pending === null ? offset : 0;
    const crlfAt = window.indexOf(CRLF, start);
    const lineLength = (crlfAt < 0 ? window.length : crlfAt) - start;
    if (lineLength > this.maxLineLength + (crlfAt < 0 ? 1 : 0)) {
      throw this.fail('IncompleteBody', `An aws-chunked header or trailer line is longer than ${this.maxLineLength} bytes.`);
    }
    if (crlfAt < 0) {
      this.pendingLine = Buffer.from(window.subarray(start));
      return null;
    }
    this.pendingLine = null;
    const line = window.toString('latin1', start, crlfAt);
    if (BARE_CR_OR_LF.test(line)) throw this.fail('IncompleteBody', 'An aws-chunked line contains a bare CR or LF.');
    return { line, next: pending === null ? crlfAt + 2 : offset + crlfAt + 2 - pending.length };
  }

  private startChunk(line: string): void {
    const [sizeText = '', ...extensions] = line.split(';');
    if (!CHUNK_SIZE_PATTERN.test(sizeText)) throw this.fail('IncompleteBody', 'An aws-chunked chunk size is not valid hex.');
    const chunkSize = Number.parseInt(sizeText, 16);
    if (this.decodedContentLength !== undefined && this.announcedBytes + chunkSize > this.decodedContentLength) {
      throw this.fail('IncompleteBody', 'The aws-chunked chunks exceed x-amz-decoded-content-length.');
    }
    if (this.signing !== null) {
      const signature = extensions.find((extension) => extension.startsWith('chunk-signature='));
      if (signature === undefined) throw this.fail('SignatureDoesNotMatch', 'An aws-chunked chunk has no chunk-signature.');
      this.chunkSignature = signature.slice('chunk-signature='.length);
      this.chunkHash = createHash('sha256');
    }
    this.announcedBytes += chunkSize;
    this.chunkRemaining = chunkSize;
    this.chunkIsFinal = chunkSize === 0;
    this.crlfMatched = 0;
    if (this.chunkIsFinal) this.finishChunk();
    else this.state = 'chunk-data';
  }

  /** After a chunk's data (and CRLF): check its signature; the 0-size chunk opens the trailers. */
  private finishChunk(): void {
    if (this.signing !== null) {
      const chunkSha256 = this.chunkIsFinal ? EMPTY_SHA256_HEX : this.chunkHash!.digest('hex');
      const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${this.signing.amzDate}\n${this.signing.scope}\n${this.previousSignature}\n${EMPTY_SHA256_HEX}\n${chunkSha256}`;
      if (!signatureMatches(hmacSha256(this.signing.signingKey, toSign), this.chunkSignature)) {
        throw this.fail('SignatureDoesNotMatch', 'An aws-chunked chunk signature does not match.');
      }
      this.previousSignature = this.chunkSignature;
      this.chunkHash = null;
    }
    this.state = this.chunkIsFinal ? 'trailer' : 'chunk-header';
  }

  private acceptTrailerLine(line: string): void {
    if (line === '') {
      // The empty line ends the body; in trailer modes one right after the final chunk is skipped.
      if (this.expectsTrailers && this.trailerMap.size === 0 && !this.trailerSigned && !this.sawEmptyLine) {
        this.sawEmptyLine = true;
        return;
      }
      this.finishTrailers();
      return;
    }
    const colonAt = line.indexOf(':');
    if (!this.expectsTrailers || this.trailerSigned || colonAt <= 0 || this.trailerMap.size >= MAX_TRAILERS) {
      throw this.fail('IncompleteBody', 'The aws-chunked body has a malformed or unexpected trailer.');
    }
    const name = line.slice(0, colonAt).replace(OPTIONAL_WHITESPACE, '').toLowerCase();
    const value = line.slice(colonAt + 1).replace(OPTIONAL_WHITESPACE, '');
    if (name !== TRAILER_SIGNATURE) {
      if (this.trailerMap.has(name)) throw this.fail('IncompleteBody', `The aws-chunked trailer ${name} is repeated.`);
      if (this.declaredTrailers !== null && !this.declaredTrailers.has(name)) {
        throw this.fail('IncompleteBody', `The aws-chunked trailer ${name} is not declared in x-amz-trailer.`);
      }
      this.trailerMap.set(name, value);
      this.canonicalTrailers += `${name}:${value}\n`;
      return;
    }
    if (this.signing === null) return; // unsigned payloads: a stray trailer signature proves nothing
    const toSign = `AWS4-HMAC-SHA256-TRAILER\n${this.signing.amzDate}\n${this.signing.scope}\n${this.previousSignature}\n${sha256Hex(Buffer.from(this.canonicalTrailers, 'latin1'))}`;
    if (!signatureMatches(hmacSha256(this.signing.signingKey, toSign), value)) {
      throw this.fail('SignatureDoesNotMatch', 'The aws-chunked trailer signature does not match.');
    }
    this.trailerSigned = true;
  }

  /** The trailer section is over: signed trailers must be signed, declared ones present. */
  private finishTrailers(): void {
    if (this.signing !== null && this.expectsTrailers && !this.trailerSigned) {
      throw this.fail('SignatureDoesNotMatch', 'The aws-chunked trailers have no x-amz-trailer-signature.');
    }
    for (const name of this.declaredTrailers ?? []) {
      if (!this.trailerMap.has(name)) throw this.fail('IncompleteBody', `The declared trailer ${name} did not arrive.`);
    }
    this.state = 'done';
  }

  private fail(code: 'IncompleteBody' | 'SignatureDoesNotMatch', message: string): S3Error {
    this.failure = new S3Error(code, { message });
    return this.failure;
  }
}
