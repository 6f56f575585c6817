import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import test from 'ava';
import { ArchiveError } from './errors.ts';
import { memorySource } from './memory-source.ts';
import { planArchive, type MemberInput } from './zip-layout.ts';
import { readMemberDataSpan, readZipDirectory, ZipIndex } from './zip-reader.ts';
import { writeArchive } from './zip-writer.ts';

const modifiedAt = new Date(Date.UTC(2024, 5, 30, 12, 34, 56));

async function collect(pieces: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

async function pack(contents: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  const inputs: MemberInput[] = [...contents].map(([name, bytes]) => ({ name, size: bytes.length, crc32: crc32(bytes), modifiedAt }));
  const layout = planArchive(inputs);
  const archive = await collect(writeArchive(layout, (member) => [contents.get(member.name)!]));
  if (archive.length !== layout.size) throw new Error(`wrote ${archive.length} bytes, planned ${layout.size}`);
  return archive;
}

function python(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
}

function withTempFile<T>(bytes: Buffer, use: (file: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-zip-'));
  try {
    const file = path.join(dir, 'archive.zip');
    writeFileSync(file, bytes);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('written archive reads back: names, sizes, CRC-32, timestamps and bytes', async (t) => {
  const contents = new Map([
    ['master.m3u8', Buffer.from('#EXTM3U\n')],
    ['720p/seg_000.ts', Buffer.alloc(70_000, 7)],
    ['empty.vtt', Buffer.alloc(0)],
    ['título/ñ.ts', Buffer.from('unicode name')],
  ]);
  const archive = await pack(contents);
  const source = memorySource(archive);
  const index = new ZipIndex(await readZipDirectory(source));
  t.deepEqual(index.entries.map((entry) => entry.name), [...contents.keys()]);
  for (const [name, bytes] of contents) {
    const entry = index.get(name)!;
    t.is(entry.size, bytes.length);
    t.is(entry.crc32, crc32(bytes));
    t.deepEqual(entry.modifiedAt, modifiedAt);
    const span = await readMemberDataSpan(source, entry, index.dataEnd);
    t.true(archive.subarray(span.offset, span.offset + span.length).equals(bytes), name);
  }
});

test('a small archive costs one read for its whole central directory', async (t) => {
  const archive = await pack(new Map([['a', Buffer.from('x')], ['b', Buffer.from('y')]]));
  const source = memorySource(archive);
  await readZipDirectory(source);
  t.deepEqual(source.reads, [{ offset: 0, length: archive.length }]);
});

test('Python\'s zipfile reads our archive and finds every CRC right', (t) => {
  const archive = pack(new Map([['a/b.ts', Buffer.alloc(1000, 1)], ['ü.vtt', Buffer.from('WEBVTT\n')]]));
  return archive.then((bytes) => withTempFile(bytes, (file) => {
    const out = python('import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(z.testzip(), [(i.filename, i.file_size, i.compress_type) for i in z.infolist()])', file);
    t.is(out.trim(), "None [('a/b.ts', 1000, 0), ('ü.vtt', 7, 0)]");
  }));
});

test('ZIP64: more than 65,535 entries, streamed, read back by us and by Python', async (t) => {
  const count = 70_000;
  const bytesOf = (index: number) => Buffer.from(`member ${index}\n`);
  const inputs: MemberInput[] = Array.from({ length: count }, (_, index) => {
    const bytes = bytesOf(index);
    return { name: `seg/${index}.ts`, size: bytes.length, crc32: crc32(bytes), modifiedAt };
  });
  const layout = planArchive(inputs);
  t.true(layout.zip64);
  const archive = await collect(writeArchive(layout, (member) => [bytesOf(Number(/(\d+)/.exec(member.name)![1]))]));
  t.is(archive.length, layout.size);

  const source = memorySource(archive);
  const directory = await readZipDirectory(source);
  t.true(directory.zip64);
  t.is(directory.entries.length, count);
  const index = new ZipIndex(directory);
  for (const probe of [0, 1, 65_534, 65_535, 65_536, count - 1]) {
    const entry = index.get(`seg/${probe}.ts`)!;
    const span = await readMemberDataSpan(source, entry, index.dataEnd);
    t.true(archive.subarray(span.offset, span.offset + span.length).equals(bytesOf(probe)), `member ${probe}`);
  }
  withTempFile(archive, (file) => {
    const out = python('import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nn = z.infolist()\nprint(len(n), z.read("seg/69999.ts").decode().strip(), z.testzip())', file);
    t.is(out.trim(), `${count} member 69999 None`);
  });
});

test('a member whose bytes differ from the plan stops the stream: ZIP_MEMBER_CHANGED', async (t) => {
  const layout = planArchive([{ name: 'a.ts', size: 3, crc32: crc32(Buffer.from('abc')), modifiedAt }]);
  const wrongBytes = collect(writeArchive(layout, () => [Buffer.from('abd')]));
  t.is((await t.throwsAsync(wrongBytes, { instanceOf: ArchiveError }))!.code, 'ZIP_MEMBER_CHANGED');
  const shorter = collect(writeArchive(layout, () => [Buffer.from('ab')]));
  t.is((await t.throwsAsync(shorter, { instanceOf: ArchiveError }))!.code, 'ZIP_MEMBER_CHANGED');
  const longer = collect(writeArchive(layout, () => [Buffer.from('abcd')]));
  t.is((await t.throwsAsync(longer, { instanceOf: ArchiveError }))!.code, 'ZIP_MEMBER_CHANGED');
});
