import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import test from 'ava';
import { ArchiveError, type ArchiveErrorCode } from './errors.ts';
import { openFileSource } from './file-source.ts';
import { memorySource } from './memory-source.ts';
import { readMemberDataSpan, readZipDirectory, requireStoredMember, ZipIndex, type ByteSource } from './zip-reader.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hls/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`);

async function expectCode(t: import('ava').ExecutionContext, promise: Promise<unknown>, code: ArchiveErrorCode): Promise<string> {
  const error = await t.throwsAsync(promise, { instanceOf: ArchiveError });
  t.is(error!.code, code);
  return error!.message;
}

for (const [archive, tool] of [['info-zip.zip', 'Info-ZIP zip -0'], ['python-zipfile.zip', 'Python zipfile'], ['packed.zip', 'shardgate archive pack']] as const) {
  test(`reads every member of a ZIP made by ${tool}, byte for byte`, async (t) => {
    const source = await openFileSource(`${FIXTURES}${archive}`);
    t.teardown(() => source.close());
    const index = new ZipIndex(await readZipDirectory(source));
    const files = index.entries.filter((entry) => !entry.name.endsWith('/'));
    t.true(files.length >= 25);
    for (const entry of files) {
      requireStoredMember(entry);
      const span = await readMemberDataSpan(source, entry, index.dataEnd);
      const bytes = await source.read(span);
      const original = readFileSync(`${FIXTURES}stream/${entry.name.replace(/^_(byterange|range)\//, '')}`);
      if (!entry.name.startsWith('_')) t.true(Buffer.from(bytes).equals(original), entry.name);
      t.is(crc32(bytes), entry.crc32, entry.name);
    }
  });
}

test('Info-ZIP local headers carry longer extra fields than the central ones: data offsets come from the local header', async (t) => {
  const archive = fixture('info-zip.zip');
  const source = memorySource(archive);
  const index = new ZipIndex(await readZipDirectory(source));
  const entry = index.get('master.m3u8')!;
  const span = await readMemberDataSpan(source, entry, index.dataEnd);
  const localExtraLength = archive.readUInt16LE(entry.localHeaderOffset + 28);
  t.true(localExtraLength > 0);
  t.is(span.offset, entry.localHeaderOffset + 30 + 'master.m3u8'.length + localExtraLength);
  t.is(archive.subarray(span.offset, span.offset + span.length).toString(), fixture('stream/master.m3u8').toString());
});

test('compressed members are found but refused by name: ZIP_COMPRESSED_MEMBER', async (t) => {
  const index = new ZipIndex(await readZipDirectory(memorySource(fixture('deflated.zip'))));
  const entry = index.get('360p/index.m3u8')!;
  t.is(entry.method, 8);
  const error = t.throws(() => requireStoredMember(entry), { instanceOf: ArchiveError });
  t.is(error!.code, 'ZIP_COMPRESSED_MEMBER');
  t.is(error!.member, '360p/index.m3u8');
  t.regex(error!.message, /"360p\/index\.m3u8" is compressed \(method 8\)/);
});

test('a comment containing a fake end record signature does not fool the search', async (t) => {
  const archive = fixture('python-zipfile.zip');
  const comment = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(30, 0xee)]);
  const patched = Buffer.concat([archive, comment]);
  patched.writeUInt16LE(comment.length, archive.length - 2);
  const directory = await readZipDirectory(memorySource(patched));
  t.is(directory.entries.length, new ZipIndex(await readZipDirectory(memorySource(archive))).entries.length);
});

test('not a ZIP, or truncated anywhere: ZIP_CORRUPT, never a hang or a wrong member', async (t) => {
  const archive = fixture('packed.zip');
  await expectCode(t, readZipDirectory(memorySource(Buffer.alloc(100_000, 0x41))), 'ZIP_CORRUPT');
  await expectCode(t, readZipDirectory(memorySource(Buffer.alloc(0))), 'ZIP_CORRUPT');
  for (const cut of [1, 10, 22, 100, 5_000, archive.length - 10]) {
    await expectCode(t, readZipDirectory(memorySource(archive.subarray(0, archive.length - cut))), 'ZIP_CORRUPT');
  }
  // Data cut out of the middle: the records point past where the central directory now is.
  const holed = Buffer.concat([archive.subarray(0, 1000), archive.subarray(2000)]);
  await expectCode(t, readZipDirectory(memorySource(holed)), 'ZIP_CORRUPT');
});

test('an end record pointing outside the archive is ZIP_CORRUPT', async (t) => {
  const archive = Buffer.from(fixture('packed.zip'));
  const end = archive.length - 22;
  const broken = Buffer.from(archive);
  broken.writeUInt32LE(archive.length * 2, end + 16); // central directory offset
  t.regex(await expectCode(t, readZipDirectory(memorySource(broken)), 'ZIP_CORRUPT'), /central directory/);
  const tooMany = Buffer.from(archive);
  tooMany.writeUInt16LE(60_000, end + 8);
  tooMany.writeUInt16LE(60_000, end + 10);
  t.regex(await expectCode(t, readZipDirectory(memorySource(tooMany)), 'ZIP_CORRUPT'), /entries cannot fit/);
});

test('a local header that is not one is ZIP_CORRUPT', async (t) => {
  const archive = Buffer.from(fixture('packed.zip'));
  const index = new ZipIndex(await readZipDirectory(memorySource(archive)));
  const entry = index.get('360p/seg_001.m4s')!;
  archive.writeUInt32LE(0xdeadbeef, entry.localHeaderOffset);
  await expectCode(t, readMemberDataSpan(memorySource(archive), entry, index.dataEnd), 'ZIP_CORRUPT');
});

test('duplicate and escaping member names make the archive unservable', async (t) => {
  const archive = Buffer.from(fixture('python-zipfile.zip'));
  const directory = await readZipDirectory(memorySource(archive));
  const renamed = (from: string, to: string) => ({ ...directory, entries: directory.entries.map((entry) => (entry.name === from ? { ...entry, name: to } : entry)) });
  t.is(t.throws(() => new ZipIndex(renamed('cover.jpg', 'master.m3u8')), { instanceOf: ArchiveError })!.code, 'ZIP_DUPLICATE_NAME');
  t.is(t.throws(() => new ZipIndex(renamed('cover.jpg', '../cover.jpg')), { instanceOf: ArchiveError })!.code, 'ZIP_UNSAFE_NAME');
});

test('a central directory over the limit is refused before it is read', async (t) => {
  const source: ByteSource & { reads: unknown[] } = memorySource(fixture('info-zip.zip'));
  const message = await expectCode(t, readZipDirectory(source, { maxCentralDirectoryBytes: 100 }), 'ZIP_TOO_LARGE');
  t.regex(message, /more than the 100/);
});
