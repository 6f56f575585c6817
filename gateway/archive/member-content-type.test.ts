import test from 'ava';
import { DEFAULT_MEMBER_CONTENT_TYPE, memberContentType } from './member-content-type.ts';

test('HLS and DASH members get the types players expect, by extension, any case', (t) => {
  const cases: Array<[string, string]> = [
    ['master.m3u8', 'application/vnd.apple.mpegurl'],
    ['720p/seg_001.ts', 'video/mp2t'],
    ['dash/manifest.mpd', 'application/dash+xml'],
    ['dash/seg_0_001.m4s', 'video/iso.segment'],
    ['cmaf/video/seg_1.cmfv', 'video/mp4'],
    ['cmaf/audio/seg_1.CMFA', 'audio/mp4'],
    ['cmaf/text/seg_1.cmft', 'application/mp4'],
    ['init_0.mp4', 'video/mp4'],
    ['subs/subs.vtt', 'text/vtt'],
  ];
  for (const [name, type] of cases) t.is(memberContentType(name), type, name);
});

test('no extension, a dot-file or an unknown extension is application/octet-stream', (t) => {
  for (const name of ['README', 'v.1/README', '.hidden', 'v/.hidden', 'data.bin']) t.is(memberContentType(name), DEFAULT_MEMBER_CONTENT_TYPE, name);
});
