/**
 * The checksum algorithms of S3's `x-amz-checksum-<name>` headers and trailers, behind one
 * incremental interface. Values travel as base64 of the big-endian digest bytes.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { crc32c } from './crc32c.ts';
import { Crc64Nvme } from './crc64nvme.ts';

/** Lower case, as in the header names. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export const CHECKSUM_DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = Object.freeze({
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
});

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** A checksum fed piece by piece; `digest` once at the end. */
export interface RunningChecksum {
  update(bytes: Uint8Array): void;
  digest(): Buffer;
}

class Crc32Checksum implements RunningChecksum {
  constructor(private readonly compute: (bytes: Uint8Array, previous: number) => number) {}
  #value = 0;

  update(bytes: Uint8Array): void {
    this.#value = this.compute(bytes, this.#value);
  }

  digest(): Buffer {
    const bytes = Buffer.allocUnsafe(4);
    bytes.writeUInt32BE(this.#value >>> 0);
    return bytes;
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return new Crc32Checksum(crc32);
    case 'crc32c':
      return new Crc32Checksum(crc32c);
    case 'crc64nvme':
      return new Crc64Nvme();
    case 'sha1':
    case 'sha256':
      return createHash(algorithm);
  }
}

/** The base64 checksum of bytes in one piece (tests, small bodies). */
export function checksumBase64(algorithm: ChecksumAlgorithm, bytes: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(bytes);
  return checksum.digest().toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `value` is padded base64 of exactly as many bytes as the algorithm's digest. */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  return BASE64.test(value) && Buffer.from(value, 'base64').length === CHECKSUM_DIGEST_BYTES[algorithm];
}
