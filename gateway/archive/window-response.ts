import type { ObjectVersion } from '../../src/meta/types.ts';
import { formatContentRange, parseRangeHeader } from '../../src/s3/range.ts';
import type { Span } from '../../src/span.ts';
import { responseOverrides } from '../ops/object-headers.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-dispatch.ts';

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
}

export async function windowResponse(request: PublicReadRequest, window: ObjectWindow, method: 'GET' | 'HEAD', report: ReadReport): Promise<Response> {
  const range = method === 'GET' ? parseRangeHeader(request.c.req.header('range'), window.span.length) : null;
  const part = range ?? { offset: 0, length: window.span.length };
  const headers: Record<string, string> = {
    ...window.headers,
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
  const body = await streamSpan(request, window.version, { offset: window.span.offset + part.offset, length: part.length }, report);
  return new Response(body, { status, headers });
}

/** The whole window in memory: for small members only (playlists). */
export async function readWindowBytes(request: PublicReadRequest, window: ObjectWindow, report: ReadReport): Promise<Uint8Array> {
  if (window.body) return window.body;
  const bytes = Buffer.allocUnsafe(window.span.length);
  let filled = 0;
  for await (const piece of readObjectRange(request.deps, window.version, window.span, report, new AbortController().signal)) {
    bytes.set(piece, filled);
    filled += piece.length;
  }
  return bytes.subarray(0, filled);
}

/**
 * The verified bytes of `span` as a body stream. The first piece is read before the status line
 * goes out, so unreadable bytes become a 503 S3 error rather than a 200 with a broken body; a
 * later failure aborts the connection (a short body, never a complete-looking wrong one); a client
 * that hangs up cancels the shard reads behind it. The same contract as GetObject.
 */
async function streamSpan(request: PublicReadRequest, version: ObjectVersion, span: Span, report: ReadReport): Promise<ReadableStream<Uint8Array>> {
  const { deps, c, log } = request;
  const abort = new AbortController();
  const pieces = readObjectRange(deps, version, span, report, abort.signal);
  const first = await pieces.next();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) return controller.close();
      log.bytesOut += first.value.length;
      controller.enqueue(first.value);
    },
    async pull(controller) {
      try {
        const next = await pieces.next();
        if (next.done) return controller.close();
        log.bytesOut += next.value.length;
        controller.enqueue(next.value);
      } catch (error) {
        log.error = (error as Error).message;
        deps.logger.error('read_failed_mid_body', { requestId: c.get('requestId'), bucket: request.bucket, key: request.key, error: (error as Error).message });
        controller.error(error);
      }
    },
    async cancel() {
      abort.abort();
      await pieces.return(undefined).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
