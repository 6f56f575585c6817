import type { ObjectVersion } from '../../src/meta/types.ts';
import { formatContentRange, parseRangeHeader } from '../../src/s3/range.ts';
import type { Span } from '../../src/span.ts';
import { streamObjectSpan } from '../objects/object-body.ts';
import { responseOverrides } from '../objects/object-headers.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { readObjectRange } from '../read/object-reader.ts';
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
  /** Where the window lies in that object (in `body` when there is one). */
  readonly span: Span;
  /** The window's bytes when they are not the object's own (a playlist rewritten with a token). */
  readonly body?: Uint8Array;
  /** The window's ETag, which conditional requests compare against. */
  readonly etag: string;
  /** Content-Type, ETag, Last-Modified and the like of the window as a resource. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Present while `span.offset` is a guess (an archive member whose local header is being read):
   * settles with how far the true span lies from the guessed one (0: the guess was right), or
   * rejects with the S3 error for an unreadable or corrupt header.
   */
  readonly located?: Promise<number>;
}

/** The window at its true place, once its location is known. */
export async function locatedWindow(window: ObjectWindow): Promise<ObjectWindow> {
  if (!window.located) return window;
  const shift = await window.located;
  return { ...window, span: { offset: window.span.offset + shift, length: window.span.length }, located: undefined };
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
  if (method === 'HEAD' || part.length === 0) {
    await locatedWindow(window); // a member whose local header is corrupt is an error for HEAD too
    return new Response(null, { status, headers });
  }
  if (window.body) {
    request.log.bytesOut += part.length;
    return new Response(window.body.slice(part.offset, part.offset + part.length), { status, headers });
  }
  return new Response(await speculativeBody(request, window, part, report), { status, headers });
}

/**
 * The verified bytes of `part` of the window. While the window's place is still a guess, its bytes
 * are read at the guessed place in parallel with the local header that says where they are: a
 * right guess (the usual case) costs no extra round trip, a wrong one is cancelled and read again
 * at the true place. Nothing is sent before the place is known.
 */
async function speculativeBody(request: PublicReadRequest, window: ObjectWindow, part: Span, report: ReadReport): Promise<ReadableStream<Uint8Array>> {
  const spanOf = (located: ObjectWindow) => ({ offset: located.span.offset + part.offset, length: part.length });
  const guessed = spanOf(window);
  if (!window.located || guessed.offset + guessed.length > window.version.size) {
    return streamObjectSpan(request, window.version, spanOf(await locatedWindow(window)), report);
  }
  const speculative = streamObjectSpan(request, window.version, guessed, report);
  speculative.catch(() => {}); // observed below, or dropped when the guess was wrong
  const shift = await window.located.catch((error: unknown) => {
    speculative.then((stream) => stream.cancel(), () => {});
    throw error;
  });
  if (shift === 0) return speculative;
  speculative.then((stream) => stream.cancel(), () => {});
  return streamObjectSpan(request, window.version, { offset: guessed.offset + shift, length: part.length }, report);
}

/** The whole window in memory: for small members only (playlists). */
export async function readWindowBytes(request: PublicReadRequest, window: ObjectWindow, report: ReadReport): Promise<Uint8Array> {
  if (window.body) return window.body;
  window = await locatedWindow(window);
  const bytes = Buffer.allocUnsafe(window.span.length);
  let filled = 0;
  for await (const piece of readObjectRange(request.deps, window.version, window.span, report, new AbortController().signal)) {
    bytes.set(piece, filled);
    filled += piece.length;
  }
  return bytes.subarray(0, filled);
}
