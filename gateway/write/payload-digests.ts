import { createHash, type Hash } from 'node:crypto';
import {
  CHECKSUM_ALGORITHMS, createChecksum, isChecksumAlgorithm, isWellFormedChecksum, type ChecksumAlgorithm, type RunningChecksum,
} from '../../src/s3/checksums/algorithms.ts';
import { S3Error } from '../../src/s3/errors.ts';

/** Checksum algorithms shardgate verifies (lower case, as in `x-amz-checksum-<name>`): every one S3 defines. */
export const SUPPORTED_CHECKSUMS = CHECKSUM_ALGORITHMS;
export type { ChecksumAlgorithm };

export interface DigestExpectations {
  /** Hex SHA-256 the request signed (`x-amz-content-sha256`), for signed payloads. */
  readonly contentSha256?: string;
  /** Base64 `Content-MD5`. */
  readonly contentMd5?: string;
  /** The checksum the client sends, in a header or (value unknown yet) a trailer. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value?: string };
}

/**
 * Which checksum a PUT carries: one `x-amz-checksum-*` header, or the trailer named by
 * `x-amz-trailer`, checked against `x-amz-sdk-checksum-algorithm` when the client names one.
 * S3's answers: two checksums → InvalidRequest "Expecting a single…"; a malformed value →
 * InvalidRequest "Value for … header is invalid."; an algorithm named without a checksum →
 * InvalidRequest; an algorithm named that is not the checksum's → BadDigest for that algorithm.
 */
export function requestedChecksum(header: (name: string) => string | undefined): DigestExpectations['checksum'] {
  const inHeaders = CHECKSUM_ALGORITHMS.filter((name) => header(`x-amz-checksum-${name}`) !== undefined);
  const trailer = header('x-amz-trailer')?.trim().toLowerCase();
  const inTrailer = trailer?.startsWith('x-amz-checksum-') ? trailer.slice('x-amz-checksum-'.length) : undefined;
  if (inTrailer !== undefined && !isChecksumAlgorithm(inTrailer)) throw unsupportedAlgorithm();
  if (inHeaders.length + (inTrailer === undefined ? 0 : 1) > 1) {
    throw new S3Error('InvalidRequest', { message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.' });
  }
  const algorithm: ChecksumAlgorithm | undefined = inHeaders[0] ?? inTrailer;
  const value = inHeaders[0] === undefined ? undefined : header(`x-amz-checksum-${inHeaders[0]}`)!;
  if (algorithm !== undefined && value !== undefined && !isWellFormedChecksum(algorithm, value)) {
    throw new S3Error('InvalidRequest', { message: `Value for x-amz-checksum-${algorithm} header is invalid.` });
  }
  const named = header('x-amz-sdk-checksum-algorithm')?.trim().toLowerCase();
  if (named !== undefined) {
    if (!isChecksumAlgorithm(named)) throw unsupportedAlgorithm();
    if (algorithm === undefined) {
      throw new S3Error('InvalidRequest', {
        message: 'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      });
    }
    if (named !== algorithm) throw checksumMismatch(named);
  }
  return algorithm === undefined ? undefined : { algorithm, value };
}

function unsupportedAlgorithm(): S3Error {
  const names = CHECKSUM_ALGORITHMS.map((name) => name.toUpperCase()).join(', ');
  return new S3Error('InvalidRequest', { message: `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${names}]` });
}

function checksumMismatch(algorithm: ChecksumAlgorithm): S3Error {
  return new S3Error('BadDigest', { message: `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.` });
}

/** Digests computed while the body streams through; checked once it has ended. */
export class PayloadDigests {
  readonly #md5 = createHash('md5');
  readonly #sha256: Hash | null;
  readonly #checksum: RunningChecksum | null;

  constructor(private readonly expected: DigestExpectations) {
    this.#sha256 = expected.contentSha256 !== undefined ? createHash('sha256') : null;
    this.#checksum = expected.checksum ? createChecksum(expected.checksum.algorithm) : null;
  }

  update(bytes: Uint8Array): void {
    this.#md5.update(bytes);
    this.#sha256?.update(bytes);
    this.#checksum?.update(bytes);
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
      if (checksum.value === undefined && !isWellFormedChecksum(checksum.algorithm, claimed)) {
        throw new S3Error('InvalidRequest', { message: `Value for ${name} trailing header is invalid.` });
      }
      const actual = this.#checksum!.digest().toString('base64');
      if (claimed !== actual) throw checksumMismatch(checksum.algorithm);
      checksums[checksum.algorithm] = actual;
    }
    return { etag: `"${md5.toString('hex')}"`, checksums };
  }
}
