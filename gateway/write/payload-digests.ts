import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { S3Error } from '../../src/s3/errors.ts';

/** Checksum algorithms shardgate verifies today (lower case, as in `x-amz-checksum-<name>`). */
export const SUPPORTED_CHECKSUMS = ['crc32', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof SUPPORTED_CHECKSUMS)[number];
const KNOWN_CHECKSUMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];

export interface DigestExpectations {
  /** Hex SHA-256 the request signed (`x-amz-content-sha256`), for signed payloads. */
  readonly contentSha256?: string;
  /** Base64 `Content-MD5`. */
  readonly contentMd5?: string;
  /** The checksum the client sends, in a header or (value unknown yet) a trailer. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value?: string };
}

/**
 * Which checksum a PUT carries: an `x-amz-checksum-*` header, or the trailer named by
 * `x-amz-trailer`. An algorithm shardgate cannot verify yet is refused, never stored unchecked.
 */
export function requestedChecksum(header: (name: string) => string | undefined): DigestExpectations['checksum'] {
  const trailer = header('x-amz-trailer')?.trim().toLowerCase();
  const fromTrailer = trailer?.startsWith('x-amz-checksum-') ? trailer.slice('x-amz-checksum-'.length) : undefined;
  const fromHeader = KNOWN_CHECKSUMS.find((name) => header(`x-amz-checksum-${name}`) !== undefined);
  const algorithm = fromHeader ?? fromTrailer;
  if (algorithm === undefined) return undefined;
  if (!(SUPPORTED_CHECKSUMS as readonly string[]).includes(algorithm)) {
    throw new S3Error('InvalidRequest', { message: `The checksum algorithm ${algorithm.toUpperCase()} is not supported by this endpoint yet; use CRC32, SHA1 or SHA256.` });
  }
  return { algorithm: algorithm as ChecksumAlgorithm, value: fromHeader ? header(`x-amz-checksum-${algorithm}`) : undefined };
}

/** Digests computed while the body streams through; checked once it has ended. */
export class PayloadDigests {
  readonly #md5 = createHash('md5');
  readonly #sha256: Hash | null;
  readonly #checksumHash: Hash | null;
  #crc = 0;

  constructor(private readonly expected: DigestExpectations) {
    const algorithm = expected.checksum?.algorithm;
    this.#sha256 = expected.contentSha256 !== undefined || algorithm === 'sha256' ? createHash('sha256') : null;
    this.#checksumHash = algorithm === 'sha1' ? createHash('sha1') : null;
  }

  update(bytes: Uint8Array): void {
    this.#md5.update(bytes);
    this.#sha256?.update(bytes);
    this.#checksumHash?.update(bytes);
    if (this.expected.checksum?.algorithm === 'crc32') this.#crc = crc32(bytes, this.#crc);
  }

  /**
   * Verifies everything the client claimed; returns the ETag and the checksums to store.
   * `trailers` are the aws-chunked trailer fields (lower-case names), when the body had them.
   */
  finish(trailers: ReadonlyMap<string, string> | Record<string, string> = {}): { etag: string; checksums: Record<string, string> } {
    const md5 = this.#md5.digest();
    const sha256 = this.#sha256?.digest();
    if (this.expected.contentMd5 !== undefined && md5.toString('base64') !== this.expected.contentMd5) {
      throw new S3Error('BadDigest', { message: 'The Content-MD5 you specified did not match what we received.' });
    }
    if (this.expected.contentSha256 !== undefined && sha256!.toString('hex') !== this.expected.contentSha256.toLowerCase()) {
      throw new S3Error('XAmzContentSHA256Mismatch', { extra: { ClientComputedContentSHA256: this.expected.contentSha256, S3ComputedContentSHA256: sha256!.toString('hex') } });
    }
    const checksums: Record<string, string> = {};
    const checksum = this.expected.checksum;
    if (checksum) {
      const name = `x-amz-checksum-${checksum.algorithm}`;
      const claimed = checksum.value ?? (trailers instanceof Map ? trailers.get(name) : (trailers as Record<string, string>)[name]);
      if (claimed === undefined) {
        throw new S3Error('InvalidRequest', { message: `The ${name} trailer announced in x-amz-trailer was not sent.` });
      }
      const actual = this.#checksumValue(checksum.algorithm, sha256);
      if (claimed !== actual) {
        throw new S3Error('BadDigest', { message: `The ${checksum.algorithm.toUpperCase()} you specified did not match the calculated checksum.` });
      }
      checksums[checksum.algorithm] = actual;
    }
    return { etag: `"${md5.toString('hex')}"`, checksums };
  }

  #checksumValue(algorithm: ChecksumAlgorithm, sha256: Buffer | undefined): string {
    switch (algorithm) {
      case 'crc32': {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE(this.#crc >>> 0);
        return bytes.toString('base64');
      }
      case 'sha1':
        return this.#checksumHash!.digest('base64');
      case 'sha256':
        return sha256!.toString('base64');
    }
  }
}
