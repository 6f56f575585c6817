/**
 * `shardgate archive ls <zip | s3://bucket/key>`: every member with its data offset, size and
 * CRC-32, after checking that the archive is one the gateway can serve members from (stored,
 * unencrypted, no duplicate or escaping names). Over S3 the local headers are read 16 at a time.
 */
import { ConfigError, formatHelp, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { openFileSource } from '../src/archive/file-source.ts';
import { isS3Url, parseS3Url } from '../src/archive/s3-location.ts';
import { S3ObjectClient } from '../src/archive/s3-object-client.ts';
import type { Span } from '../src/span.ts';
import { readMemberDataSpan, readZipDirectory, requireStoredMember, ZipIndex, type ByteSource } from '../src/archive/zip-reader.ts';
import { ENDPOINT_SPECS, loadEndpoint } from './archive-endpoint.ts';

const SPECS = { ...ENDPOINT_SPECS } as const satisfies SettingSpecs;
const S3_CONCURRENCY = 16;

export const LS_HELP = formatHelp(
  'shardgate archive ls <zip | s3://bucket/key> [options]',
  'Lists the members of a stored ZIP: data offset, size, CRC-32, name. Refuses archives the gateway cannot serve.',
  SPECS,
);

export async function runLs(argv: readonly string[]): Promise<void> {
  const { values, positionals, help } = readSettings(SPECS, argv, process.env);
  if (help) {
    process.stdout.write(LS_HELP);
    return;
  }
  if (positionals.length !== 1) throw new ConfigError('expected one archive: a file or s3://bucket/key (see --help)');
  const target = positionals[0]!;
  if (isS3Url(target)) {
    const client = new S3ObjectClient(loadEndpoint(values, process.env));
    await list(await client.byteSource(parseS3Url(target)), S3_CONCURRENCY);
    return;
  }
  const source = await openFileSource(target);
  try {
    await list(source, 1);
  } finally {
    await source.close();
  }
}

async function list(source: ByteSource, concurrency: number): Promise<void> {
  const index = new ZipIndex(await readZipDirectory(source));
  for (const entry of index.entries) if (!entry.name.endsWith('/')) requireStoredMember(entry);
  const spans: Span[] = new Array(index.entries.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, index.entries.length) }, async () => {
    while (next < index.entries.length) {
      const position = next++;
      spans[position] = await readMemberDataSpan(source, index.entries[position]!, index.dataEnd);
    }
  }));
  const lines = [`${'offset'.padStart(14)} ${'size'.padStart(12)}  ${'crc32'.padEnd(8)}  name`];
  index.entries.forEach((entry, position) => {
    lines.push(`${String(spans[position]!.offset).padStart(14)} ${String(entry.size).padStart(12)}  ${entry.crc32.toString(16).padStart(8, '0')}  ${entry.name}`);
  });
  const { centralDirectory, zip64 } = index.directory;
  lines.push(`${index.entries.length} members, ${source.size} bytes, central directory ${centralDirectory.length} bytes at ${centralDirectory.offset}${zip64 ? ', ZIP64' : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
