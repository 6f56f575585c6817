import test from 'ava';
import { ArchiveError } from './errors.ts';
import { parseCentralDirectory, parseEnd } from './zip-central-directory.ts';
import { CENTRAL_HEADER_LENGTH, END_LENGTH, LOCAL_HEADER_LENGTH, ZIP64_END_LENGTH, ZIP64_LOCATOR_LENGTH } from './zip-format.ts';
import { planArchive, type MemberInput } from './zip-layout.ts';
import { encodeCentralDirectory, encodeEnd } from './zip-records.ts';

const GiB = 2 ** 30;
const modifiedAt = new Date(Date.UTC(2024, 0, 1));
const member = (name: string, size: number, crc32 = 0x12345678): MemberInput => ({ name, size, crc32, modifiedAt });

/** The central directory and end records of a layout, parsed back as a reader would see them. */
function parseBack(layout: ReturnType<typeof planArchive>) {
  const tail = Buffer.concat([...encodeCentralDirectory(layout), encodeEnd(layout)]);
  const end = parseEnd(tail, layout.centralDirectory.offset, layout.size);
  return { end, entries: parseCentralDirectory(tail.subarray(0, layout.centralDirectory.length), end) };
}

test('offsets of a small archive: header, name, data, one after another', (t) => {
  const layout = planArchive([member('a.m3u8', 100), member('720p/seg_0.ts', 5000)]);
  const [first, second] = layout.members;
  t.is(first!.localHeaderOffset, 0);
  t.is(first!.dataOffset, LOCAL_HEADER_LENGTH + 6);
  t.is(second!.localHeaderOffset, LOCAL_HEADER_LENGTH + 6 + 100);
  t.is(second!.dataOffset, second!.localHeaderOffset + LOCAL_HEADER_LENGTH + 13);
  t.deepEqual(layout.centralDirectory, { offset: second!.dataOffset + 5000, length: 2 * CENTRAL_HEADER_LENGTH + 6 + 13 });
  t.false(layout.zip64);
  t.is(layout.size, layout.centralDirectory.offset + layout.centralDirectory.length + END_LENGTH);
});

test('a member starting past 4 GiB gets its offset in a ZIP64 extra field; the archive gets ZIP64 end records', (t) => {
  const layout = planArchive([member('big-1.ts', 3 * GiB), member('big-2.ts', 2 * GiB), member('after.ts', 10)]);
  const [first, second, third] = layout.members;
  t.deepEqual(first!.zip64Fields, { sizes: false, offset: false });
  t.deepEqual(second!.zip64Fields, { sizes: false, offset: false }, 'starts below 4 GiB');
  t.true(third!.localHeaderOffset > 0xffffffff);
  t.deepEqual(third!.zip64Fields, { sizes: false, offset: true });
  t.true(layout.zip64);
  t.is(layout.size, layout.centralDirectory.offset + layout.centralDirectory.length + ZIP64_END_LENGTH + ZIP64_LOCATOR_LENGTH + END_LENGTH);

  const { end, entries } = parseBack(layout);
  t.true(end.zip64);
  t.deepEqual(end.centralDirectory, layout.centralDirectory);
  t.deepEqual(entries.map((entry) => [entry.name, entry.size, entry.localHeaderOffset]), layout.members.map((m) => [m.name, m.size, m.localHeaderOffset]));
});

test('a member of 4 GiB or more carries both sizes in ZIP64 extras, local and central', (t) => {
  const layout = planArchive([member('huge.ts', 5 * GiB), member('tail.ts', 1)]);
  const [huge, tail] = layout.members;
  t.is(huge!.localHeaderLength, LOCAL_HEADER_LENGTH + 'huge.ts'.length + 20);
  t.deepEqual(huge!.zip64Fields, { sizes: true, offset: false });
  t.deepEqual(tail!.zip64Fields, { sizes: false, offset: true });
  const { entries } = parseBack(layout);
  t.is(entries[0]!.size, 5 * GiB);
  t.is(entries[0]!.compressedSize, 5 * GiB);
  t.is(entries[1]!.localHeaderOffset, huge!.dataOffset + 5 * GiB);
});

test('exactly 0xFFFFFFFF is a sentinel, so it already needs ZIP64', (t) => {
  const layout = planArchive([member('edge.ts', 0xffffffff)]);
  t.true(layout.members[0]!.zip64Fields.sizes);
  t.is(parseBack(layout).entries[0]!.size, 0xffffffff);
  const below = planArchive([member('edge.ts', 0xfffffffe)]);
  t.false(below.members[0]!.zip64Fields.sizes);
});

test('ZIP64 end records from the entry count alone: 65,534 entries no, 65,535 yes', (t) => {
  const many = (count: number) => Array.from({ length: count }, (_, index) => member(`s/${index}.ts`, 1));
  t.false(planArchive(many(65_534)).zip64);
  const layout = planArchive(many(65_535));
  t.true(layout.zip64);
  const { end, entries } = parseBack(layout);
  t.is(end.entryCount, 65_535);
  t.is(entries.length, 65_535);
  t.is(entries[65_534]!.name, 's/65534.ts');
});

test('a central directory that starts past 4 GiB is found through the ZIP64 locator', (t) => {
  const layout = planArchive([member('a.ts', 4 * GiB + 7)]);
  t.true(layout.centralDirectory.offset > 0xffffffff);
  const { end } = parseBack(layout);
  t.deepEqual(end.centralDirectory, layout.centralDirectory);
});

test('duplicate and escaping names are refused when planning', (t) => {
  t.is(t.throws(() => planArchive([member('a.ts', 1), member('a.ts', 2)]), { instanceOf: ArchiveError })!.code, 'ZIP_DUPLICATE_NAME');
  t.is(t.throws(() => planArchive([member('../a.ts', 1)]), { instanceOf: ArchiveError })!.code, 'ZIP_UNSAFE_NAME');
  t.is(t.throws(() => planArchive([member('/etc/passwd', 1)]), { instanceOf: ArchiveError })!.code, 'ZIP_UNSAFE_NAME');
  t.is(t.throws(() => planArchive([member('a/../../b', 1)]), { instanceOf: ArchiveError })!.code, 'ZIP_UNSAFE_NAME');
});

test('offsets past 2^53 are refused rather than rounded', (t) => {
  const error = t.throws(() => planArchive([member('a', Number.MAX_SAFE_INTEGER - 10), member('b', 100)]), { instanceOf: ArchiveError });
  t.is(error!.code, 'ZIP_TOO_LARGE');
});
