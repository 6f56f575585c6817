import { createHash } from 'node:crypto';
import { createChecksum, isChecksumAlgorithm, type RunningChecksum } from '../../src/s3/checksums/algorithms.ts';

/**
 * What a server-side copy computes over the bytes it copies: the MD5 (the part's ETag) and, when
 * the destination upload declared one, its checksum algorithm.
 */
export class CopyDigests {
  readonly #md5 = createHash('md5');
  readonly #checksum: RunningChecksum | null;

  constructor(private readonly algorithm: string | null) {
    this.#checksum = algorithm !== null && isChecksumAlgorithm(algorithm) ? createChecksum(algorithm) : null;
  }

  update(bytes: Uint8Array): void {
    this.#md5.update(bytes);
    this.#checksum?.update(bytes);
  }

  finish(): { etag: string; checksums: Record<string, string> } {
    const checksums: Record<string, string> = {};
    if (this.#checksum) checksums[this.algorithm!] = this.#checksum.digest().toString('base64');
    return { etag: `"${this.#md5.digest('hex')}"`, checksums };
  }
}
