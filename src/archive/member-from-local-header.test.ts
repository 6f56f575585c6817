import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { Span } from '../span.ts';
import { ArchiveError } from './errors.ts';
import { memorySource } from './memory-source.ts';
import { LOCAL_EXTRA_ALLOWANCE, localHeaderReadSpan, memberPartFromLocalHeader } from './member-from-local-header.ts';
import { readMemberDataSpan, readZipDirectory, ZipIndex } from './zip-reader.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hls/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`);

/** `bytes` as pieces of `size` bytes (the way a shard read hands them over, in whatever sizes). */
async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(pieces: AsyncGenerator<Uint8Array, number>): Promise<{ bytes: Buffer; sent: number }> {
  const out: Uint8Array[] = [];
  for (;;) {
    const next = await pieces.next();
    if (next.done) return { bytes: Buffer.concat(out), sent: next.value };
    out.push(next.value);
  }
}

for (const name of ['info-zip.zip', 'python-zipfile.zip', 'packed.zip']) {
  test(`${name}: every part of every member read from its local header on equals the bytes the header-then-data read gives`, async (t) => {
    const archive = fixture(name);
    const source = memorySource(archive);
    const index = new ZipIndex(await readZipDirectory(source));
    const files = index.entries.filter((entry) => !entry.name.endsWith('/') && entry.compressedSize > 0);
    t.true(files.length >= 20);
    for (const entry of files) {
      const dataSpan = await readMemberDataSpan(source, entry, index.dataEnd);
      const data = archive.subarray(dataSpan.offset, dataSpan.offset + dataSpan.length);
      const parts: Span[] = [
        { offset: 0, length: data.length },
        { offset: 0, length: 1 },
        { offset: data.length - 1, length: 1 },
        { offset: Math.floor(data.length / 3), length: Math.ceil(data.length / 2) - Math.floor(data.length / 3) },
      ].filter((part) => part.length > 0);
      for (const part of parts) {
        for (const pieceSize of [1, 7, 4096, archive.length]) {
          const read = localHeaderReadSpan(entry, index.dataEnd, part);
          let located: Span | null = null;
          const { bytes, sent } = await collect(memberPartFromLocalHeader(
            inPieces(archive.subarray(read.offset, read.offset + read.length), pieceSize), entry, index.dataEnd, part, (span) => { located = span; },
          ));
          const label = `${entry.name} ${part.offset}+${part.length} in pieces of ${pieceSize}`;
          t.is(sent, part.length, label);
          t.true(bytes.equals(data.subarray(part.offset, part.offset + part.length)), label);
          t.deepEqual(located, dataSpan, label);
        }
      }
    }
  });
}

test('a local extra field longer than the read allowed for: the bytes it had are right and it says how many, for the caller to read the rest', async (t) => {
  const archive = fixture('packed.zip');
  const index = new ZipIndex(await readZipDirectory(memorySource(archive)));
  const entry = index.get('360p/seg_001.m4s')!;
  const dataSpan = await readMemberDataSpan(memorySource(archive), entry, index.dataEnd);
  const part = { offset: 0, length: dataSpan.length };
  const read = localHeaderReadSpan(entry, index.dataEnd, part);
  t.true(read.length > LOCAL_EXTRA_ALLOWANCE);
  // The read as if the header had been LOCAL_EXTRA_ALLOWANCE + 100 bytes longer than planned: its last 100 data bytes are missing.
  const short = archive.subarray(read.offset, dataSpan.offset + dataSpan.length - 100);
  const { bytes, sent } = await collect(memberPartFromLocalHeader(inPieces(short, 1000), entry, index.dataEnd, part, () => {}));
  t.is(sent, dataSpan.length - 100);
  t.true(bytes.equals(archive.subarray(dataSpan.offset, dataSpan.offset + sent)));
});

test('a local header that is not one, or is cut short, is ZIP_CORRUPT before any byte is yielded', async (t) => {
  const archive = Buffer.from(fixture('packed.zip'));
  const index = new ZipIndex(await readZipDirectory(memorySource(archive)));
  const entry = index.get('360p/seg_001.m4s')!;
  const part = { offset: 0, length: entry.compressedSize };
  const read = localHeaderReadSpan(entry, index.dataEnd, part);
  const broken = Buffer.from(archive);
  broken.writeUInt32LE(0xdeadbeef, entry.localHeaderOffset);
  const notAHeader = memberPartFromLocalHeader(inPieces(broken.subarray(read.offset, read.offset + read.length), 10), entry, index.dataEnd, part, () => t.fail());
  const error = await t.throwsAsync(notAHeader.next(), { instanceOf: ArchiveError });
  t.is(error!.code, 'ZIP_CORRUPT');
  const cut = memberPartFromLocalHeader(inPieces(archive.subarray(read.offset, read.offset + 20), 10), entry, index.dataEnd, part, () => t.fail());
  t.regex((await t.throwsAsync(cut.next(), { instanceOf: ArchiveError }))!.message, /cut short/);
});

test('the read stops at the central directory: a member whose local header claims more runs into it and is ZIP_CORRUPT', async (t) => {
  const archive = Buffer.from(fixture('packed.zip'));
  const index = new ZipIndex(await readZipDirectory(memorySource(archive)));
  const last = [...index.entries].sort((a, b) => b.localHeaderOffset - a.localHeaderOffset)[0]!;
  const part = { offset: 0, length: last.compressedSize };
  const read = localHeaderReadSpan(last, index.dataEnd, part);
  t.is(read.offset + read.length, index.dataEnd);
  const longer = Buffer.from(archive);
  longer.writeUInt16LE(200, last.localHeaderOffset + 28); // an extra field that pushes the data past the central directory
  const pieces = memberPartFromLocalHeader(inPieces(longer.subarray(read.offset, read.offset + read.length), 4096), last, index.dataEnd, part, () => t.fail());
  t.is((await t.throwsAsync(pieces.next(), { instanceOf: ArchiveError }))!.code, 'ZIP_CORRUPT');
});
