import test from 'ava';
import { parseMpd } from './dash-mpd.ts';
import { planDashOrder } from './dash-pack-order.ts';
import { rewriteMpds } from './dash-rewrite.ts';

function mpd(body: string, attributes = 'type="static" mediaPresentationDuration="PT5S"'): string {
  return `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" ${attributes}><Period>${body}</Period></MPD>`;
}

test('SegmentTemplate with $Time$ and a timeline, inherited from the AdaptationSet, with a BaseURL folder', (t) => {
  const text = mpd(`<AdaptationSet><SegmentTemplate timescale="10" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/t$Time$.m4s"><SegmentTimeline><S t="5" d="20" r="1"/><S d="7"/></SegmentTimeline></SegmentTemplate>
    <Representation id="a" bandwidth="1"><BaseURL>v/</BaseURL></Representation></AdaptationSet>`);
  const [representation] = parseMpd(text, 'dash/x.mpd').representations;
  t.deepEqual(representation!.init, { path: 'dash/v/a/init.mp4', range: null });
  t.deepEqual(representation!.media.map((ref) => ref.path), ['dash/v/a/t5.m4s', 'dash/v/a/t25.m4s', 'dash/v/a/t45.m4s']);
});

test('SegmentTemplate with a fixed duration: as many $Number$ segments as the period lasts, widths kept', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="9"><SegmentTemplate timescale="1000" duration="2000" startNumber="7" media="s_$Bandwidth$_$Number%04d$.m4s"/></Representation></AdaptationSet>');
  const [representation] = parseMpd(text, 'x.mpd').representations;
  t.deepEqual(representation!.media.map((ref) => ref.path), ['s_9_0007.m4s', 's_9_0008.m4s', 's_9_0009.m4s']);
  t.is(representation!.init, null);
});

test('SegmentBase: init and index ranges of one file, moved to the file\'s place in the archive when rewritten', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="1"><BaseURL>movie.mp4</BaseURL><SegmentBase indexRange="900-999"><Initialization range="0-899"/></SegmentBase></Representation></AdaptationSet>');
  const parsed = parseMpd(text, 'x.mpd');
  t.deepEqual(planDashOrder(new Map([['x.mpd', 1], ['movie.mp4', 5000]]), [parsed]), ['x.mpd', 'movie.mp4']);
  const spans = new Map([['x.mpd', { offset: 30, length: 10 }], ['movie.mp4', { offset: 1000, length: 5000 }]]);
  const [byterange, range] = rewriteMpds([parsed], spans, 'a.zip');
  t.is(byterange!.name, '_byterange/x.mpd');
  t.regex(byterange!.text, /<Representation id="r" bandwidth="1"><BaseURL>\.\.\/\.\.\/a\.zip<\/BaseURL><SegmentBase indexRange="1900-1999"><Initialization range="1000-1899"\/><\/SegmentBase><\/Representation>/);
  t.regex(range!.text, /<BaseURL>\.\.\/\.\.\/a\.zip\?range=1000,5000&amp;ext=\.mp4<\/BaseURL><SegmentBase indexRange="900-999"><Initialization range="0-899"\/><\/SegmentBase>/);
});

test('SegmentList with mediaRange of one file: the rewritten ranges are the file\'s offset plus the range', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="1"><BaseURL>one.mp4</BaseURL><SegmentList timescale="1000" duration="2000" startNumber="1"><Initialization range="0-9"/><SegmentURL mediaRange="10-19"/><SegmentURL mediaRange="20-49"/></SegmentList></Representation></AdaptationSet>');
  const parsed = parseMpd(text, 'x.mpd');
  const spans = new Map([['one.mp4', { offset: 100, length: 50 }]]);
  const [byterange, range] = rewriteMpds([parsed], spans, 'a.zip');
  t.true(byterange!.text.includes('<SegmentList timescale="1000" duration="2000"><Initialization sourceURL="../../a.zip?ext=.mp4" range="100-109"/><SegmentURL media="../../a.zip?ext=.mp4" mediaRange="110-119"/><SegmentURL media="../../a.zip?ext=.mp4" mediaRange="120-149"/></SegmentList>'), byterange!.text);
  t.true(range!.text.includes('<SegmentURL media="../../a.zip?range=120,30&amp;ext=.mp4"/>'), range!.text);
  t.false(byterange!.text.includes('<BaseURL>'), 'the BaseURL is gone: every URL names the archive');
  t.throws(() => planDashOrder(new Map([['x.mpd', 1], ['one.mp4', 40]]), [parsed]), { message: 'x.mpd: byte range 20-49 of "one.mp4" runs past its 40 bytes' });
});

test('a SegmentTimeline in the rewritten SegmentList has one S per segment: repeats written out, timing the same; a self-closing Representation is opened', (t) => {
  // dash.js 5.2 takes the n-th SegmentURL for the n-th S element, not the n-th segment: with r="1"
  // it would play t5.m4s twice. One S per segment reads the same under both.
  const text = mpd(`<AdaptationSet><SegmentTemplate timescale="10" initialization="init.mp4" media="t$Time$.m4s"><SegmentTimeline><S t="5" d="20" r="1"/><S d="7"/></SegmentTimeline></SegmentTemplate>
    <Representation id="a" bandwidth="1"/></AdaptationSet>`);
  const parsed = parseMpd(text, 'x.mpd');
  const spans = new Map([['init.mp4', { offset: 100, length: 10 }], ['t5.m4s', { offset: 110, length: 20 }], ['t25.m4s', { offset: 130, length: 30 }], ['t45.m4s', { offset: 160, length: 5 }]]);
  const [byterange] = rewriteMpds([parsed], spans, 'a.zip');
  t.true(byterange!.text.includes('<Representation id="a" bandwidth="1"><SegmentList timescale="10"><Initialization sourceURL="../../a.zip?ext=.mp4" range="100-109"/>'
    + '<SegmentTimeline><S t="5" d="20"/><S d="20"/><S d="7"/></SegmentTimeline>'
    + '<SegmentURL media="../../a.zip?ext=.m4s" mediaRange="110-129"/><SegmentURL media="../../a.zip?ext=.m4s" mediaRange="130-159"/><SegmentURL media="../../a.zip?ext=.m4s" mediaRange="160-164"/></SegmentList>'
    + '</Representation></AdaptationSet>'), byterange!.text);
});

test('the rewritten addressing goes where the Representation\'s own was, after what the schema puts first', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="1"><AudioChannelConfiguration schemeIdUri="x" value="1"/> <SegmentList><SegmentURL media="a.m4s"/></SegmentList> </Representation></AdaptationSet>');
  const [byterange] = rewriteMpds([parseMpd(text, 'x.mpd')], new Map([['a.m4s', { offset: 7, length: 3 }]]), 'a.zip');
  t.true(byterange!.text.includes('<Representation id="r" bandwidth="1"><AudioChannelConfiguration schemeIdUri="x" value="1"/> <SegmentList><SegmentURL media="../../a.zip?ext=.m4s" mediaRange="7-9"/></SegmentList> </Representation>'), byterange!.text);
});

test('a SegmentList timeline is written out no further than its SegmentURLs; an r that is no count stays', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="1"><SegmentList timescale="10"><SegmentTimeline><S d="20" r="999999999"/></SegmentTimeline><SegmentURL media="a.m4s"/><SegmentURL media="b.m4s"/></SegmentList></Representation>'
    + '<Representation id="s" bandwidth="1"><SegmentList timescale="10"><SegmentTimeline><S d="20" r="-1"/></SegmentTimeline><SegmentURL media="a.m4s"/><SegmentURL media="b.m4s"/></SegmentList></Representation></AdaptationSet>');
  const parsed = parseMpd(text, 'x.mpd');
  const [byterange] = rewriteMpds([parsed], new Map([['a.m4s', { offset: 0, length: 1 }], ['b.m4s', { offset: 1, length: 1 }]]), 'a.zip');
  t.true(byterange!.text.includes('<SegmentList timescale="10"><SegmentTimeline><S d="20"/><S d="20"/></SegmentTimeline><SegmentURL'), byterange!.text);
  t.true(byterange!.text.includes('<SegmentList timescale="10"><SegmentTimeline><S d="20" r="-1"/></SegmentTimeline><SegmentURL'), byterange!.text);
});

test('what cannot be archived is DASH_INPUT with the MPD named', (t) => {
  const cases: Array<[string, string]> = [
    [mpd('<AdaptationSet><Representation id="r"><BaseURL>https://cdn.example/v/</BaseURL><SegmentTemplate media="$Number$.m4s" duration="1"/></Representation></AdaptationSet>'), 'x.mpd: BaseURL "https://cdn.example/v/" is absolute: only a folder\'s own files can be archived'],
    [mpd('<AdaptationSet><Representation id="r"><SegmentList><SegmentURL media="../../up.m4s"/></SegmentList></Representation></AdaptationSet>'), 'x.mpd: "../../up.m4s" is outside the folder'],
    [mpd('', 'type="dynamic"'), 'x.mpd: only static (on-demand) MPDs can be archived'],
    [mpd('<AdaptationSet><Representation id="r"><SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="5" r="-1"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet>'), 'x.mpd: Representation "r": SegmentTimeline S@d="5" r="-1" is not supported (need d > 0, r ≥ 0)'],
    ['<MPD><Period>', 'x.mpd: <Period> is never closed: not well-formed XML'],
  ];
  for (const [text, message] of cases) t.throws(() => parseMpd(text, 'x.mpd'), { message, instanceOf: Error }, message);
});

test('a Representation naming a file the folder lacks is DASH_INPUT naming the MPD and the file', (t) => {
  const text = mpd('<AdaptationSet><Representation id="r" bandwidth="1"><SegmentList><Initialization sourceURL="init.mp4"/><SegmentURL media="a.m4s"/><SegmentURL media="b.m4s"/></SegmentList></Representation></AdaptationSet>');
  const parsed = parseMpd(text, 'v/x.mpd');
  t.deepEqual(planDashOrder(new Map([['v/x.mpd', 1], ['v/init.mp4', 1], ['v/a.m4s', 1], ['v/b.m4s', 1]]), [parsed]), ['v/x.mpd', 'v/init.mp4', 'v/a.m4s', 'v/b.m4s']);
  const error = t.throws(() => planDashOrder(new Map([['v/x.mpd', 1], ['v/init.mp4', 1], ['v/a.m4s', 1]]), [parsed]));
  t.is((error as { code?: string }).code, 'DASH_INPUT');
  t.is(error!.message, 'v/x.mpd references "v/b.m4s", which is not in the folder');
});
