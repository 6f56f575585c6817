import { readFileSync } from 'node:fs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ArchiveError } from './errors.ts';
import { planHlsPack } from './hls-pack.ts';
import { parsePlaylist } from './hls-playlist.ts';
import { archiveLinkFrom } from './hls-rewrite.ts';
import { memorySource } from './memory-source.ts';
import { readMemberDataSpan, readZipDirectory, ZipIndex } from './zip-reader.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hls/', import.meta.url));
/** make.sh packs with SOURCE_DATE_EPOCH=1704067200. */
const FIXTURE_TIME = new Date(1704067200 * 1000);

async function packFixture(archiveName: string): Promise<Buffer> {
  const plan = await planHlsPack({ folder: `${FIXTURES}stream`, archiveName, modifiedAt: FIXTURE_TIME });
  const pieces: Uint8Array[] = [];
  for await (const piece of plan.stream()) pieces.push(piece);
  const archive = Buffer.concat(pieces);
  if (archive.length !== plan.layout.size) throw new Error('size differs from the plan');
  return archive;
}

test('packing the fixture stream gives the committed packed.zip, byte for byte', async (t) => {
  t.true((await packFixture('packed.zip')).equals(readFileSync(`${FIXTURES}packed.zip`)));
});

test('every byte range in the rewritten playlists addresses exactly the segment it replaced', async (t) => {
  const archive = await packFixture('movie.zip');
  const source = memorySource(archive);
  const index = new ZipIndex(await readZipDirectory(source));
  const slice = (offset: number, length: number) => archive.subarray(offset, offset + length);
  let checked = 0;
  for (const original of index.entries.filter((entry) => entry.name.endsWith('.m3u8') && !entry.name.startsWith('_'))) {
    const originalText = readFileSync(`${FIXTURES}stream/${original.name}`, 'utf8');
    const sourceReferences = parsePlaylist(originalText, original.name).references;
    for (const form of ['_byterange', '_range'] as const) {
      const rewrittenEntry = index.get(`${form}/${original.name}`)!;
      const span = await readMemberDataSpan(source, rewrittenEntry, index.dataEnd);
      const rewritten = parsePlaylist(slice(span.offset, span.length).toString('utf8'), rewrittenEntry.name);
      const link = archiveLinkFrom(rewrittenEntry.name, 'movie.zip');
      rewritten.references.forEach((reference, position) => {
        const sourceReference = sourceReferences[position]!;
        if (reference.role === 'variant' || reference.role === 'rendition') return t.is(reference.uri, sourceReference.uri);
        const target = path.posix.join(path.posix.dirname(original.name), sourceReference.uri);
        const expected = readFileSync(`${FIXTURES}stream/${target}`);
        let range = reference.byteRange;
        if (form === '_range') {
          t.is(range, null);
          const match = new RegExp(`^${link.replace(/[.]/g, '\\.')}\\?range=(\\d+),(\\d+)&ext=\\.${path.posix.extname(target).slice(1)}$`).exec(reference.uri);
          t.truthy(match, reference.uri);
          range = { offset: Number(match![1]), length: Number(match![2]) };
        } else {
          t.is(reference.uri, `${link}?ext=${path.posix.extname(target)}`);
        }
        t.true(slice(range!.offset, range!.length).equals(expected), `${rewrittenEntry.name} → ${target}`);
        checked++;
      });
    }
  }
  t.is(checked, 2 * 20, 'every init segment and segment of the four media playlists, in both forms');
});

test('the links climb from the rewritten playlist to the archive key', (t) => {
  t.is(archiveLinkFrom('_byterange/master.m3u8', 'movie.zip'), '../../movie.zip');
  t.is(archiveLinkFrom('_range/720p/index.m3u8', 'my movie.zip'), '../../../my%20movie.zip');
});

test('a folder with a playlist naming a file outside it is refused before anything is written', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-hls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'v'));
  writeFileSync(path.join(dir, 'v', 'index.m3u8'), '#EXTM3U\n#EXTINF:2,\n../../secret.ts\n');
  const error = await t.throwsAsync(planHlsPack({ folder: dir, archiveName: 'x.zip' }), { instanceOf: ArchiveError });
  t.is(error!.message, 'v/index.m3u8 references "../../secret.ts", which is outside the folder');
});

test('a folder without playlists is refused', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-hls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'a.ts'), 'x');
  await t.throwsAsync(planHlsPack({ folder: dir, archiveName: 'x.zip' }), { message: /holds no \.m3u8 playlist/ });
});
