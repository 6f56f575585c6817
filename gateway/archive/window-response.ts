import type { ObjectVersion } from '../../src/meta/types.ts';
import { formatContentRange, parseRangeHeader } from '../../src/s3/range.ts';
import type { Span } from '../../src/span.ts';
import { streamVerifiedPieces } from '../objects/object-body.ts';
import { responseOverrides } from '../objects/object-headers.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { readObjectRange } from '../read/object-reader.ts';
import { readMemberPart, type ArchiveMember } from './member-read.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-request.ts';

/**
 * A window of an object served as if it were an object of its own: an archive member, or the
 * bytes a `?range=` query names. A Range header applies inside the window (206 with a
 * Content-Range relative to it; 416 past its end), and the bytes are the archive's own verified
 * shard windows, nothing copied or decoded that a plain Range read would not.
 */
export interface ObjectWindow {
  /** The object the bytes come from. */
  readonly version: ObjectVersion;
  /** Where the window lies in that object (in `body` when there is one; in the member's data when there is one). */
  readonly span: Span;
  /** The archive member the window is (its data located by the first read), when it is one. */
  readonly member?: ArchiveMember;
  /** The window's bytes when they are not the object's own (a playlist rewritten with a token). */
  readonly body?: Uint8Array;
  /** The window's ETag, which conditional requests compare against. */
  readonly etag: string;
  /** Content-Type, ETag, Last-Modified and the like of the window as a resource. */
  readonly headers: Readonly<Record<string, string>>;
}

export async function windowResponse(request: PublicReadRequest, window: ObjectWindow, method: 'GET' | 'HEAD', report: ReadReport): Promise<Response> {
  const range = method === 'GET' ? parseRangeHeader(request.c.req.header('range'), window.span.length) : null;
  const part = range ?? { offset: 0, length: window.span.length };
  const headers: Record<string, string> = {
    ...window.headers,
    // The window's bytes are stored as the archive's are: a member says so as an object does.
    ...sseS3ResponseHeaders(window.version.encryption),
    ...(method === 'GET' ? responseOverrides(request.query) : {}),
    'content-length': String(part.length),
  };
  if (range) headers['content-range'] = formatContentRange(range, window.span.length);
  const status = range ? 206 : 200;
  if (method === 'HEAD' || part.length === 0) return new Response(null, { status, headers });
  if (window.body) {
    request.log.bytesOut += part.length;
    return new Response(window.body.slice(part.offset, part.offset + part.length), { status, headers });
  }
  const span = { offset: window.span.offset + part.offset, length: part.length };
  const body = await streamVerifiedPieces(request, report, (signal) => windowPieces(request, window, span, report, signal));
  return new Response(body, { status, headers });
}

/** The whole window in memory: for small members only (playlists). */
export async function readWindowBytes(request: PublicReadRequest, window: ObjectWindow, report: ReadReport): Promise<Uint8Array> {
  if (window.body) return window.body;
  const bytes = Buffer.allocUnsafe(window.span.length);
  let filled = 0;
  for await (const piece of windowPieces(request, window, window.span, report, new AbortController().signal)) {
    bytes.set(piece, filled);
    filled += piece.length;
  }
  return bytes.subarray(0, filled);
}

/** The verified bytes of `span` of the window's object (or of its member). */
function windowPieces(request: PublicReadRequest, window: ObjectWindow, span: Span, report: ReadReport, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  return window.member
    ? readMemberPart(request.deps, window.version, window.member, span, report, signal)
    : readObjectRange(request.deps, window.version, span, report, signal);
}
