import test from 'ava';
import { ArchiveError } from './errors.ts';
import { parseAttributeList } from './hls-attributes.ts';
import { parsePlaylist, rewritePlaylist } from './hls-playlist.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English, main",DEFAULT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="muxed",DEFAULT=NO
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="en",URI="subs/en.m3u8"
#EXT-X-SESSION-DATA:DATA-ID="com.example.info",URI="info.json"
#EXT-X-STREAM-INF:BANDWIDTH=1280000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="aud"
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=640000,RESOLUTION=640x360
360p/index.m3u8?v=2
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI="720p/iframes.m3u8"
`;

const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.key",IV=0x1234
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
seg_0.m4s
#EXTINF:4.0,
seg_1.m4s
#EXT-X-ENDLIST
`;

const SINGLE_FILE = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="main.mp4",BYTERANGE="720@0"
#EXTINF:4.0,
#EXT-X-BYTERANGE:1000@720
main.mp4
#EXTINF:4.0,
#EXT-X-BYTERANGE:1500
main.mp4
#EXT-X-BYTERANGE:800@5000
#EXTINF:4.0,
other.mp4
#EXT-X-ENDLIST
`;

test('master playlist: variants, renditions with URIs, i-frame playlists, session data, in order', (t) => {
  const playlist = parsePlaylist(MASTER, 'master.m3u8');
  t.is(playlist.kind, 'master');
  t.deepEqual(playlist.references.map(({ role, uri }) => [role, uri]), [
    ['rendition', 'audio/en.m3u8'],
    ['rendition', 'subs/en.m3u8'],
    ['other', 'info.json'],
    ['variant', '720p/index.m3u8'],
    ['variant', '360p/index.m3u8?v=2'],
    ['variant', '720p/iframes.m3u8'],
  ]);
});

test('media playlist: key, init segment and segments', (t) => {
  const playlist = parsePlaylist(MEDIA, '720p/index.m3u8');
  t.is(playlist.kind, 'media');
  t.deepEqual(playlist.references.map(({ role, uri, byteRange }) => [role, uri, byteRange]), [
    ['key', 'keys/k1.key', null],
    ['init-segment', 'init.mp4', null],
    ['segment', 'seg_0.m4s', null],
    ['segment', 'seg_1.m4s', null],
  ]);
});

test('byte ranges: explicit offsets, an offset carried on from the previous range, EXT-X-MAP BYTERANGE', (t) => {
  const playlist = parsePlaylist(SINGLE_FILE, 'v/index.m3u8');
  t.deepEqual(playlist.references.map(({ uri, byteRange }) => [uri, byteRange]), [
    ['main.mp4', { offset: 0, length: 720 }],
    ['main.mp4', { offset: 720, length: 1000 }],
    ['main.mp4', { offset: 1720, length: 1500 }],
    ['other.mp4', { offset: 5000, length: 800 }],
  ]);
});

test('bad playlists are HLS_INPUT errors naming the file and line', (t) => {
  const notHls = t.throws(() => parsePlaylist('hello\n', 'x.m3u8'), { instanceOf: ArchiveError });
  t.is(notHls!.code, 'HLS_INPUT');
  t.regex(notHls!.message, /x\.m3u8 is not an HLS playlist/);
  const orphanRange = t.throws(() => parsePlaylist('#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:100\na.ts\n', 'y.m3u8'), { instanceOf: ArchiveError });
  t.regex(orphanRange!.message, /y\.m3u8 line 4: EXT-X-BYTERANGE without an offset/);
  t.throws(() => parsePlaylist('#EXTM3U\n#EXT-X-BYTERANGE:abc\na.ts\n', 'z.m3u8'), { message: /z\.m3u8 line 2: byte range "abc"/ });
});

test('attribute lists keep quoted commas and round-trip', (t) => {
  t.deepEqual(parseAttributeList('TYPE=AUDIO,NAME="a, b",DEFAULT=YES', 'x'), [['TYPE', 'AUDIO'], ['NAME', '"a, b"'], ['DEFAULT', 'YES']]);
  t.throws(() => parseAttributeList('NAME="open', 'x'), { message: /unterminated/ });
});

test('rewriting: segments become byte ranges, EXT-X-MAP gains BYTERANGE, old ranges are dropped, version raised to 4', (t) => {
  const playlist = parsePlaylist('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\n#EXT-X-BYTERANGE:10@0\nseg.ts\n#EXT-X-ENDLIST\n', 'p.m3u8');
  const text = rewritePlaylist(playlist, (reference) => ({
    uri: '../movie.zip',
    byteRange: reference.role === 'init-segment' ? { offset: 100, length: 50 } : { offset: 500, length: 10 },
  }));
  t.is(text, '#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-MAP:URI="../movie.zip",BYTERANGE="50@100"\n#EXTINF:4.0,\n#EXT-X-BYTERANGE:10@500\n../movie.zip\n#EXT-X-ENDLIST\n');
});

test('rewriting without ranges: URIs replaced in place, everything else kept, no version added', (t) => {
  const playlist = parsePlaylist(MASTER, 'master.m3u8');
  const text = rewritePlaylist(playlist, (reference) => ({ uri: `${reference.uri}?token=t`, byteRange: null }));
  t.is(text, MASTER
    .replace('URI="audio/en.m3u8"', 'URI="audio/en.m3u8?token=t"')
    .replace('URI="subs/en.m3u8"', 'URI="subs/en.m3u8?token=t"')
    .replace('URI="info.json"', 'URI="info.json?token=t"')
    .replace('720p/index.m3u8\n', '720p/index.m3u8?token=t\n')
    .replace('360p/index.m3u8?v=2', '360p/index.m3u8?v=2?token=t')
    .replace('URI="720p/iframes.m3u8"', 'URI="720p/iframes.m3u8?token=t"'));
});

test('a playlist without EXT-X-VERSION gets one when byte ranges appear', (t) => {
  const playlist = parsePlaylist('#EXTM3U\n#EXTINF:4,\na.ts\n', 'p.m3u8');
  t.is(rewritePlaylist(playlist, () => ({ uri: 'x.zip', byteRange: { offset: 1, length: 2 } })), '#EXTM3U\n#EXT-X-VERSION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:2@1\nx.zip\n');
});
