import test from 'ava';
import { ArchiveError } from './errors.ts';
import { planPackOrder, resolveReference } from './hls-pack-order.ts';
import { parsePlaylist, type Playlist } from './hls-playlist.ts';

function folder(files: Record<string, string | number>) {
  const sizes = new Map<string, number>();
  const playlists = new Map<string, Playlist>();
  for (const [name, content] of Object.entries(files)) {
    sizes.set(name, typeof content === 'number' ? content : content.length);
    if (typeof content === 'string') playlists.set(name, parsePlaylist(content, name));
  }
  return { sizes, playlists };
}

const media = (...segments: string[]) => `#EXTM3U\n${segments.map((segment) => `#EXTINF:2,\n${segment}`).join('\n')}\n#EXT-X-ENDLIST\n`;

test('playback order: master, then each rendition\'s playlist and segments as the master names them, then the rest', (t) => {
  const { sizes, playlists } = folder({
    'cover.jpg': 10,
    'master.m3u8': '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="a",URI="audio/a.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/v.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n360p/v.m3u8\n',
    '360p/v.m3u8': media('s1.ts', 's0.ts'),
    '360p/s0.ts': 5, '360p/s1.ts': 5,
    '720p/v.m3u8': `#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n${media('s0.m4s', 's1.m4s').slice('#EXTM3U\n'.length)}`,
    '720p/init.mp4': 3, '720p/s0.m4s': 5, '720p/s1.m4s': 5,
    'audio/a.m3u8': media('a0.aac'), 'audio/a0.aac': 4,
    'other/unused.m3u8': media('x.ts'), 'other/x.ts': 1,
    'thumbs/t.webp': 2,
  });
  const order = planPackOrder(sizes, playlists);
  t.deepEqual(order.members, [
    'master.m3u8',
    'audio/a.m3u8', 'audio/a0.aac',
    '720p/v.m3u8', '720p/init.mp4', '720p/s0.m4s', '720p/s1.m4s',
    '360p/v.m3u8', '360p/s1.ts', '360p/s0.ts',
    'other/unused.m3u8', 'other/x.ts',
    'cover.jpg', 'thumbs/t.webp',
  ]);
  t.deepEqual(order.playlists, ['master.m3u8', 'audio/a.m3u8', '720p/v.m3u8', '360p/v.m3u8', 'other/unused.m3u8']);
});

test('master.m3u8 comes first among top-level playlists, then other masters, then media playlists', (t) => {
  const { sizes, playlists } = folder({
    'a-media.m3u8': media('x.ts'), 'x.ts': 1,
    'b-master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na-media.m3u8\n',
    'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na-media.m3u8\n',
  });
  t.deepEqual(planPackOrder(sizes, playlists).members, ['master.m3u8', 'a-media.m3u8', 'x.ts', 'b-master.m3u8']);
});

test('references: relative paths resolve, percent-escapes decode, queries drop, absolute URLs name no file', (t) => {
  t.is(resolveReference('720p/v.m3u8', 'seg%20one.ts?token=1#t'), '720p/seg one.ts');
  t.is(resolveReference('720p/v.m3u8', '../shared/init.mp4'), 'shared/init.mp4');
  t.is(resolveReference('720p/v.m3u8', 'https://cdn.example.com/x.ts'), null);
  t.is(resolveReference('720p/v.m3u8', 'skd://key-id'), null);
});

test('a reference leaving the folder is refused with a one-line error', (t) => {
  for (const uri of ['../../etc/passwd', '/etc/passwd', '../../../x.ts']) {
    const error = t.throws(() => resolveReference('720p/v.m3u8', uri), { instanceOf: ArchiveError });
    t.is(error!.code, 'HLS_INPUT');
    t.regex(error!.message, /^720p\/v\.m3u8 references ".*", which is outside the folder$/);
  }
});

test('a missing segment, a non-playlist variant, a byte range past the end, a reserved folder: refused', (t) => {
  const missing = folder({ 'v.m3u8': media('gone.ts') });
  t.throws(() => planPackOrder(missing.sizes, missing.playlists), { message: 'v.m3u8 references "gone.ts", which is not in the folder (gone.ts)' });
  const notPlaylist = folder({ 'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.txt\n', 'v.txt': 3 });
  t.throws(() => planPackOrder(notPlaylist.sizes, notPlaylist.playlists), { message: /as a playlist, but it is not an \.m3u8 file/ });
  const pastEnd = folder({ 'v.m3u8': '#EXTM3U\n#EXT-X-BYTERANGE:100@50\nall.mp4\n', 'all.mp4': 120 });
  t.throws(() => planPackOrder(pastEnd.sizes, pastEnd.playlists), { message: /byte range 100@50 of "all.mp4" runs past its 120 bytes/ });
  const reserved = folder({ 'v.m3u8': media('a.ts'), 'a.ts': 1, '_range/x.m3u8': media('y.ts') });
  t.throws(() => planPackOrder(reserved.sizes, reserved.playlists), { message: /reserved for the rewritten playlists/ });
});
