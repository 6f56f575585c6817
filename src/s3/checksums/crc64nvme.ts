/**
 * CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5 (0xAD93D23594C93659 bit-reversed), init
 * and xorout all ones, check value CRC64NVME("123456789") = 0xAE8B14860A799888. The checksum S3
 * calls `CRC64NVME` (`x-amz-checksum-crc64nvme`: base64 of the 8 bytes, big-endian) and the
 * default of current AWS SDKs for multipart uploads.
 *
 * The 64-bit register is kept as two unsigned 32-bit halves (`high`, `low`) so the loop stays in
 * Smi/uint32 arithmetic: no BigInt anywhere. Slicing-by-8 as in crc32c.ts (aligned input read as
 * 32-bit words), with each table entry split into a high and a low table.
 */
import { LITTLE_ENDIAN_HOST } from './host-endianness.ts';

const POLYNOMIAL_HIGH = 0x9a6c9329;
const POLYNOMIAL_LOW = 0xac4bc9b5;

interface Tables {
  /** HIGH[k * 256 + b] / LOW[…]: halves of the CRC of byte b followed by k zero bytes. */
  readonly high: Uint32Array;
  readonly low: Uint32Array;
}

/** Built once, never written. */
const EMPTY_WORDS = new Uint32Array(0);
const TABLES: Tables = buildTables();

function buildTables(): Tables {
  const high = new Uint32Array(8 * 256);
  const low = new Uint32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let h = 0;
    let l = byte;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ POLYNOMIAL_HIGH) >>> 0;
        l = (l ^ POLYNOMIAL_LOW) >>> 0;
      }
    }
    high[byte] = h;
    low[byte] = l;
  }
  for (let slice = 1; slice < 8; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const h = high[(slice - 1) * 256 + byte]!;
      const l = low[(slice - 1) * 256 + byte]!;
      const index = l & 0xff;
      high[slice * 256 + byte] = ((h >>> 8) ^ high[index]!) >>> 0;
      low[slice * 256 + byte] = (((l >>> 8) | (h << 24)) ^ low[index]!) >>> 0;
    }
  }
  return { high, low };
}

/** A running CRC-64/NVME: `update` with the bytes in order, then `digest`. */
export class Crc64Nvme {
  /** The register, inverted (init all ones), as two 32-bit halves. */
  #high = 0xffffffff;
  #low = 0xffffffff;

  update(bytes: Uint8Array): this {
    const { high: th, low: tl } = TABLES;
    let h = this.#high;
    let l = this.#low;
    let i = 0;
    if (LITTLE_ENDIAN_HOST) {
      const misalignment = bytes.byteOffset & 3;
      const head = Math.min(bytes.length, misalignment === 0 ? 0 : 4 - misalignment);
      for (; i < head; i++) {
        const index = (l ^ bytes[i]!) & 0xff;
        l = ((l >>> 8) | (h << 24)) ^ tl[index]!;
        h = (h >>> 8) ^ th[index]!;
      }
      // Short inputs may end before the boundary: then there are no words to view.
      const wordCount = (bytes.byteOffset + i) % 4 === 0 ? ((bytes.length - i) >>> 3) << 1 : 0;
      const words = wordCount === 0 ? EMPTY_WORDS : new Uint32Array(bytes.buffer, bytes.byteOffset + i, wordCount);
      for (let w = 0; w < words.length; w += 2) {
        // XOR 8 little-endian bytes into the register; after 8 byte steps nothing of the old
        // register is left, so the new one is the XOR of 8 table entries.
        const a = l ^ words[w]!;
        const b = h ^ words[w + 1]!;
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (b & 0xff);
        const i2 = 512 + ((b >>> 8) & 0xff);
        const i1 = 256 + ((b >>> 16) & 0xff);
        const i0 = b >>> 24;
        h = th[i7]! ^ th[i6]! ^ th[i5]! ^ th[i4]! ^ th[i3]! ^ th[i2]! ^ th[i1]! ^ th[i0]!;
        l = tl[i7]! ^ tl[i6]! ^ tl[i5]! ^ tl[i4]! ^ tl[i3]! ^ tl[i2]! ^ tl[i1]! ^ tl[i0]!;
      }
      i += words.length * 4;
    }
    // The tail (and every byte on a big-endian host): one table step per byte.
    for (; i < bytes.length; i++) {
      const index = (l ^ bytes[i]!) & 0xff;
      l = ((l >>> 8) | (h << 24)) ^ tl[index]!;
      h = (h >>> 8) ^ th[index]!;
    }
    this.#high = h >>> 0;
    this.#low = l >>> 0;
    return this;
  }

  /** The CRC as 8 big-endian bytes (what `x-amz-checksum-crc64nvme` carries in base64). */
  digest(): Buffer {
    const bytes = Buffer.allocUnsafe(8);
    bytes.writeUInt32BE(~this.#high >>> 0, 0);
    bytes.writeUInt32BE(~this.#low >>> 0, 4);
    return bytes;
  }

  /** The CRC as 16 lower-case hex digits. */
  hex(): string {
    return this.digest().toString('hex');
  }
}
