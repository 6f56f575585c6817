/**
 * Checksum throughput: `npx tsx bench/checksums.ts [totalMiB=64] [rounds=5]`.
 *
 * Feeds each S3 checksum algorithm a buffer in 64 KiB pieces (as request bodies arrive) and
 * prints the median MB/s (1 MB = 10^6 bytes) as one JSON object. CRC32 is zlib's native one,
 * SHA-1/SHA-256 are OpenSSL's; CRC32C and CRC64NVME are the table-driven JS in src/s3/checksums/.
 */
import { CHECKSUM_ALGORITHMS, createChecksum } from '../src/s3/checksums/algorithms.ts';

const totalBytes = Number(process.argv[2] ?? 64) * 2 ** 20;
const rounds = Number(process.argv[3] ?? 5);
const PIECE = 64 * 1024;

const data = new Uint8Array(totalBytes);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

const megabytesPerSecond: Record<string, number> = {};
for (const algorithm of CHECKSUM_ALGORITHMS) {
  const run = () => {
    const checksum = createChecksum(algorithm);
    for (let offset = 0; offset < data.length; offset += PIECE) checksum.update(data.subarray(offset, offset + PIECE));
    return checksum.digest();
  };
  run(); // warm up
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    run();
    samples.push(totalBytes / 1e6 / ((performance.now() - started) / 1000));
  }
  samples.sort((a, b) => a - b);
  megabytesPerSecond[algorithm] = Math.round(samples[Math.floor(samples.length / 2)]!);
}
process.stdout.write(`${JSON.stringify({ totalBytes, pieceBytes: PIECE, rounds, megabytesPerSecond })}\n`);
