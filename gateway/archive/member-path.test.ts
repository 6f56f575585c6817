import test from 'ava';
import { memberPathCandidates } from './member-path.ts';

test('a key through a .zip names a member of that archive', (t) => {
  t.deepEqual(memberPathCandidates('movie.zip/720p/index.m3u8'), [{ archiveKey: 'movie.zip', memberName: '720p/index.m3u8' }]);
  t.deepEqual(memberPathCandidates('shows/s1/e1.ZIP/master.m3u8'), [{ archiveKey: 'shows/s1/e1.ZIP', memberName: 'master.m3u8' }]);
});

test('several .zip segments: the longest archive key is tried first', (t) => {
  t.deepEqual(memberPathCandidates('a.zip/b.zip/c.ts'), [
    { archiveKey: 'a.zip/b.zip', memberName: 'c.ts' },
    { archiveKey: 'a.zip', memberName: 'b.zip/c.ts' },
  ]);
});

test('no candidates: plain keys, a bare ".zip/", an empty member, ".zip" without a slash', (t) => {
  for (const key of ['movie.zip', 'a/b/c.ts', '.zip/x', 'movie.zip/', 'movie.zipper/x', 'moviezip/x']) t.deepEqual(memberPathCandidates(key), [], key);
});

test('a hostile key costs at most four candidates', (t) => {
  t.is(memberPathCandidates('a.zip/'.repeat(100) + 'x').length, 4);
});
