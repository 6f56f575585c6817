/**
 * True on little-endian hosts (x86, arm64 as Node runs them): a Uint32Array view then reads 4
 * bytes in the order a little-endian CRC consumes them. The CRCs fall back to byte reads otherwise.
 */
export const LITTLE_ENDIAN_HOST: boolean = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
