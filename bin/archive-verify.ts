/**
 * `shardgate archive verify <zip | s3://bucket/key>`: reads every member (through the gateway for
 * s3://, which verifies every shard chunk on the way) and checks its CRC-32 against the central
 * directory. Members are read in pieces of at most 8 MiB, four at a time over S3, so memory stays
 * bounded whatever the archive. Prints one line per bad member and a summary; exit 1 when any
 * member does not match (or cannot be served: compressed, encrypted, escaping names).
 */
import { crc32 } from 'node:zlib';
import { ConfigError, formatHelp, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { openFileSource } from '../src/archive/file-source.ts';
import { isS3Url, parseS3Url } from '../src/archive/s3-location.ts';
import { S3ObjectClient } from '../src/archive/s3-object-client.ts';
import { readMemberDataSpan, readZipDirectory, requireStoredMember, ZipIndex, type ByteSource } from '../src/archive/zip-reader.ts';
import type { ZipEntry } from '../src/archive/zip-central-directory.ts';
import { ENDPOINT_SPECS, loadEndpoint } from './archive-endpoint.ts';
import { createProgress, formatMegabytes } from './archive-progress.ts';

const SPECS = { ...ENDPOINT_SPECS } as const satisfies SettingSpecs;
const PIECE_BYTES = 8 * 1024 * 1024;
const S3_CONCURRENCY = 4;

export const VERIFY_HELP = formatHelp(
  'shardgate archive verify <zip | s3://bucket/key> [options]',
  'Reads every member of a stored ZIP and checks its CRC-32 against the central directory; exit 1 on any mismatch.',
  SPECS,
);

export async function runVerify(argv: readonly string[]): Promise<void> {
  const { values, positionals, help } = readSettings(SPECS, argv, process.env);
  if (help) {
    process.stdout.write(VERIFY_HELP);
    return;
  }
  if (positionals.length !== 1) throw new ConfigError('expected one archive: a file or s3://bucket/key (see --help)');
  const target = positionals[0]!;
  if (isS3Url(target)) {
    const client = new S3ObjectClient(loadEndpoint(values, process.env));
    await verify(target, await client.byteSource(parseS3Url(target)), S3_CONCURRENCY);
    return;
  }
  const source = await openFileSource(target);
  try {
    await verify(target, source, 1);
  } finally {
    await source.close();
  }
}

async function verify(target: string, source: ByteSource, concurrency: number): Promise<void> {
  const started = performance.now();
  const index = new ZipIndex(await readZipDirectory(source));
  const members = index.entries.filter((entry) => !entry.name.endsWith('/'));
  for (const entry of members) requireStoredMember(entry);
  const totalBytes = members.reduce((sum, entry) => sum + entry.size, 0);
  const progress = createProgress(process.stderr);
  const bad: string[] = [];
  let doneBytes = 0;
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, async () => {
    while (next < members.length) {
      const entry = members[next++]!;
      const actual = await memberCrc(source, entry, index.dataEnd, (bytes) => {
        doneBytes += bytes;
        progress.update('verify', doneBytes, totalBytes);
      });
      if (actual !== entry.crc32) bad.push(`${entry.name}: CRC-32 ${hex(actual)}, the central directory says ${hex(entry.crc32)}`);
    }
  }));
  progress.finish();
  for (const line of bad) process.stdout.write(`BAD ${line}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (bad.length > 0) {
    process.stdout.write(`${bad.length} of ${members.length} members of ${target} do not match their CRC-32\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`verified ${members.length} members of ${target}: ${totalBytes} bytes (${formatMegabytes(totalBytes)}) in ${seconds} s, every CRC-32 matches\n`);
}

async function memberCrc(source: ByteSource, entry: ZipEntry, dataEnd: number, onBytes: (bytes: number) => void): Promise<number> {
  const span = await readMemberDataSpan(source, entry, dataEnd);
  let crc = 0;
  for (let offset = 0; offset < span.length; offset += PIECE_BYTES) {
    const length = Math.min(PIECE_BYTES, span.length - offset);
    crc = crc32(await source.read({ offset: span.offset + offset, length }), crc);
    onBytes(length);
  }
  return crc >>> 0;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
