/**
 * Which files of a folder the DASH manifests play, in playback order, checked against the folder:
 * every MPD (by path), then each MPD's Representations in document order — initialization
 * segment, then media segments. A file the MPD names that is not in the folder, or a byte range
 * past a file's end, is DASH_INPUT. Pure.
 */
import { ArchiveError } from './errors.ts';
import type { DashFileRef, Mpd } from './dash-mpd.ts';

export function planDashOrder(fileSizes: ReadonlyMap<string, number>, mpds: readonly Mpd[]): string[] {
  const members: string[] = [];
  const emitted = new Set<string>();
  const emit = (filePath: string) => {
    if (emitted.has(filePath)) return;
    emitted.add(filePath);
    members.push(filePath);
  };
  const check = (mpd: Mpd, ref: DashFileRef) => {
    const size = fileSizes.get(ref.path);
    if (size === undefined) throw new ArchiveError('DASH_INPUT', `${mpd.path} references "${ref.path}", which is not in the folder`, mpd.path);
    if (ref.range && ref.range.offset + ref.range.length > size) {
      throw new ArchiveError('DASH_INPUT', `${mpd.path}: byte range ${ref.range.offset}-${ref.range.offset + ref.range.length - 1} of "${ref.path}" runs past its ${size} bytes`, mpd.path);
    }
    emit(ref.path);
  };
  const sorted = [...mpds].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const mpd of sorted) emit(mpd.path);
  for (const mpd of sorted) {
    for (const representation of mpd.representations) {
      if (representation.init) check(mpd, representation.init);
      for (const media of representation.media) check(mpd, media);
      if (representation.indexRange) check(mpd, { path: representation.media[0]!.path, range: representation.indexRange });
    }
  }
  return members;
}
