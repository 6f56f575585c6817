/**
 * AES-256-CTR cost on the data path: `npx tsx bench/crypto.ts [totalMiB=64] [rounds=9]`.
 *
 * By CPU time (this runs on shared machines where wall time measures the neighbours), rounds
 * interleaved, best and median MB/s (1 MB = 10^6 bytes) per CPU second, i.e. per core:
 * - `ctr4MiB`: CtrStream.transform over 4 MiB batches (what the write path does per batch);
 * - `ctr64KiBRanges`: a fresh CtrStream positioned at a random offset for each 64 KiB piece
 *   (what a range read does: one key unwrap is not included, see `unwrap`);
 * - `writeBatchPlain` / `writeBatchEncrypted`: one 4 MiB write batch of the 4+2 profile,
 *   stripesToColumns + RS encode + BLAKE3 chunk hashes, without and with the encryption first:
 *   the ratio is what encryption costs the write path;
 * - `unwrap`: AES-256-GCM unwraps of a segment data key per CPU second (once per segment read).
 * Prints one JSON object with the machine it ran on.
 */
import { randomBytes } from 'node:crypto';
import { CtrStream } from '../src/crypto/ctr-cipher.ts';
import { MasterKeyRing } from '../src/crypto/segment-keys.ts';
import { ReedSolomonCodec } from '../src/erasure/codec.ts';
import { stripesToColumns } from '../src/erasure/layout.ts';
import { DEFAULT_PROFILE } from '../src/erasure/profile.ts';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { machineInfo } from './machine-info.ts';

const totalBytes = Number(process.argv[2] ?? 64) * 2 ** 20;
const rounds = Number(process.argv[3] ?? 9);
const BATCH = 4 * 2 ** 20;
const PIECE = 64 * 1024;
const profile = DEFAULT_PROFILE;
const codec = ReedSolomonCodec.load();
const key = randomBytes(32);
const iv = randomBytes(16);
const batch = randomBytes(BATCH);
const ring = new MasterKeyRing([{ id: 'mk1', key: randomBytes(32) }]);
const sealed = ring.seal('0'.repeat(32));

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function writeBatch(encrypt: boolean): void {
  const stripes = encrypt ? new CtrStream(key, iv, 0).transform(batch) : batch;
  const columns = stripesToColumns(profile, stripes);
  const all = [...columns, ...codec.encode(profile, columns)];
  for (const column of all) hashChunks(column, profile.chunkSize);
}

/** Bytes processed per call, and the call. */
const VARIANTS: Record<string, [number, () => void]> = {
  ctr4MiB: [BATCH, () => { new CtrStream(key, iv, 0).transform(batch); }],
  ctr64KiBRanges: [PIECE, () => {
    const offset = Math.floor(Math.random() * (BATCH - PIECE));
    new CtrStream(key, iv, offset).transform(batch.subarray(offset, offset + PIECE));
  }],
  writeBatchPlain: [BATCH, () => writeBatch(false)],
  writeBatchEncrypted: [BATCH, () => writeBatch(true)],
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
for (const [, run] of Object.values(VARIANTS)) for (let i = 0; i < 3; i += 1) run();
for (let round = 0; round < rounds; round += 1) {
  for (const [name, [bytes, run]] of Object.entries(VARIANTS)) {
    const calls = Math.max(1, Math.round(totalBytes / bytes));
    const start = cpuSeconds();
    for (let i = 0; i < calls; i += 1) run();
    samples[name]!.push((calls * bytes) / 1e6 / (cpuSeconds() - start));
  }
}
const unwrapStart = cpuSeconds();
let unwraps = 0;
while (cpuSeconds() - unwrapStart < 0.5) {
  ring.open('0'.repeat(32), sealed.encryption);
  unwraps += 1;
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { best: Math.round(sorted.at(-1)!), median: Math.round(sorted[Math.floor(sorted.length / 2)]!) };
};
const results = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summary(values)]));
process.stdout.write(`${JSON.stringify({
  unit: 'MB of data per CPU second (one core)',
  profile,
  results,
  encryptionShareOfWriteBatch: Number((1 - results.writeBatchEncrypted!.best / results.writeBatchPlain!.best).toFixed(3)),
  unwrapsPerCpuSecond: Math.round(unwraps / (cpuSeconds() - unwrapStart)),
  machine: machineInfo(),
}, null, 2)}\n`);
