/** Content-Type of an archive member by its extension: what HLS and DASH players and browsers expect. */
const TYPES: Readonly<Record<string, string>> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m3u: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mpd: 'application/dash+xml',
  cmfv: 'video/mp4',
  cmfa: 'audio/mp4',
  cmft: 'application/mp4',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
  vtt: 'text/vtt',
  webvtt: 'text/vtt',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  json: 'application/json',
  xml: 'application/xml',
  txt: 'text/plain',
};

export const DEFAULT_MEMBER_CONTENT_TYPE = 'application/octet-stream';

export function memberContentType(memberName: string): string {
  const slash = memberName.lastIndexOf('/');
  const dot = memberName.lastIndexOf('.');
  if (dot <= slash + 1) return DEFAULT_MEMBER_CONTENT_TYPE;
  return TYPES[memberName.slice(dot + 1).toLowerCase()] ?? DEFAULT_MEMBER_CONTENT_TYPE;
}
