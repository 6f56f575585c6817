/**
 * The CRC of a concatenation from the CRCs of its pieces, as zlib's `crc32_combine` computes it:
 * crc(A‖B) = crc(A)·x^(8·|B|) ⊕ crc(B) mod p(x). That identity holds for the reflected CRCs with
 * init and xorout all ones that S3 uses for FULL_OBJECT multipart checksums (CRC32, CRC32C,
 * CRC64NVME), so a completed upload's whole-object CRC is folded from its parts' CRCs and sizes
 * without reading a byte. BigInt keeps one code path for 32- and 64-bit registers; it runs a
 * few hundred multiplications per part.
 */

export type CombinableCrc = 'crc32' | 'crc32c' | 'crc64nvme';

interface CrcSpec {
  readonly width: number;
  /** Reflected polynomial: bit (width - 1) is x^0. */
  readonly polynomial: bigint;
}

const SPECS: Readonly<Record<CombinableCrc, CrcSpec>> = {
  crc32: { width: 32, polynomial: 0xedb88320n },
  crc32c: { width: 32, polynomial: 0x82f63b78n },
  crc64nvme: { width: 64, polynomial: 0x9a6c9329ac4bc9b5n },
};

export function isCombinableCrc(algorithm: string): algorithm is CombinableCrc {
  return Object.hasOwn(SPECS, algorithm);
}

/** a(x)·b(x) mod p(x), reflected. */
function multiplyModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(spec.width - 1);
  let product = 0n;
  let multiplicand = b;
  while (m !== 0n) {
    if ((a & m) !== 0n) product ^= multiplicand;
    m >>= 1n;
    multiplicand = (multiplicand & 1n) !== 0n ? (multiplicand >> 1n) ^ spec.polynomial : multiplicand >> 1n;
  }
  return product;
}

/** x^(8·bytes) mod p(x), by squaring. */
function shiftOperator(spec: CrcSpec, bytes: number): bigint {
  let result = 1n << BigInt(spec.width - 1); // x^0
  let power = 1n << BigInt(spec.width - 2); // x^1
  for (let i = 0; i < 3; i++) power = multiplyModP(spec, power, power); // x^8: one byte
  for (let n = BigInt(bytes); n > 0n; n >>= 1n) {
    if ((n & 1n) !== 0n) result = multiplyModP(spec, result, power);
    power = multiplyModP(spec, power, power);
  }
  return result;
}

function toBigInt(digest: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(digest).toString('hex') || '0'}`);
}

function toDigest(spec: CrcSpec, value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(spec.width / 4, '0'), 'hex');
}

/** The CRC of A‖B from crc(A), crc(B) (big-endian digests, as S3 sends them) and |B| in bytes. */
export function combineCrc(algorithm: CombinableCrc, first: Uint8Array, second: Uint8Array, secondLength: number): Buffer {
  const spec = SPECS[algorithm];
  if (first.length * 8 !== spec.width || second.length * 8 !== spec.width) {
    throw new RangeError(`${algorithm} digests are ${spec.width / 8} bytes`);
  }
  const shifted = multiplyModP(spec, shiftOperator(spec, secondLength), toBigInt(first));
  return toDigest(spec, shifted ^ toBigInt(second));
}
