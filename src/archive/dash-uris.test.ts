import test from 'ava';
import { ArchiveError } from './errors.ts';
import { rewriteMpdUris } from './dash-uris.ts';

const MPD = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" xmlns:x="urn:x">
  <BaseURL> video/ </BaseURL>
  <Period>
    <AdaptationSet>
      <SegmentTemplate timescale="1000" media='seg-$Number%05d$.m4s' initialization="init-$RepresentationID$.mp4" startNumber="1"/>
      <Representation id="a" bandwidth="1"/>
    </AdaptationSet>
    <AdaptationSet>
      <Representation id="b" bandwidth="2">
        <BaseURL>../archive.zip</BaseURL>
        <SegmentList duration="2"><Initialization range="0-99"/><SegmentURL mediaRange="100-199"/><SegmentURL media="a&amp;b.m4s" index="i.sidx" x:media="keep"/></SegmentList>
      </Representation>
      <Representation id="c" bandwidth="3">
        <SegmentBase indexRange="10-20"><RepresentationIndex sourceURL="https://cdn.example/index.sidx"/></SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>`;

test('every URI the MPD names is rewritten, every other byte kept', (t) => {
  const seen: string[] = [];
  const out = rewriteMpdUris(MPD, 'stream/manifest.mpd', (uri) => {
    seen.push(uri);
    return `${uri}#T`;
  });
  t.deepEqual(seen, ['video/', 'seg-$Number%05d$.m4s', 'init-$RepresentationID$.mp4', '../archive.zip', 'a&b.m4s', 'i.sidx', 'https://cdn.example/index.sidx']);
  const expected = MPD
    .replace('<BaseURL> video/ </BaseURL>', '<BaseURL>video/#T</BaseURL>')
    .replace(`media='seg-$Number%05d$.m4s' initialization="init-$RepresentationID$.mp4"`, 'media="seg-$Number%05d$.m4s#T" initialization="init-$RepresentationID$.mp4#T"')
    .replace('<BaseURL>../archive.zip</BaseURL>', '<BaseURL>../archive.zip#T</BaseURL>')
    .replace('media="a&amp;b.m4s" index="i.sidx"', 'media="a&amp;b.m4s#T" index="i.sidx#T"')
    .replace('sourceURL="https://cdn.example/index.sidx"', 'sourceURL="https://cdn.example/index.sidx#T"');
  t.is(out, expected);
});

test('an MPD without URIs comes back byte for byte; one that is not XML is DASH_INPUT', (t) => {
  const plain = '<MPD type="static"><Period><AdaptationSet><Representation id="x"><SegmentBase indexRange="1-2"/></Representation></AdaptationSet></Period></MPD>';
  t.is(rewriteMpdUris(plain, 'a.mpd', () => 'changed'), plain);
  const error = t.throws(() => rewriteMpdUris('<MPD><Period></MPD>', 'a.mpd', (uri) => uri), { instanceOf: ArchiveError });
  t.is(error.code, 'DASH_INPUT');
});
