import type { SegmentKeyOpener } from '../../src/crypto/segment-keys.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { offerSocketBody, watchSendProgress, type VerifiedPieces } from './socket-body.ts';

/**
 * The verified bytes of `span` of an object as a response body. The first piece is read before
 * the caller sends the status line, so unreadable bytes become a 503 S3 error rather than a 200
 * with a broken body; a later failure errors the stream, which aborts the connection (a short
 * body, never a complete-looking wrong one); a client that hangs up cancels the shard reads
 * behind it, and so does a client that reads nothing for `--send-progress-timeout` while a piece
 * waits for it (its connection is reset: a reader that stops must not hold the pooled shard
 * connections other requests need). Body bytes sent are counted in the request log (egress,
 * billing). `keys`: an SSE-C object's customer keys (see readObjectRange).
 *
 * The returned web stream is what `app.request()` callers read; behind a real server the app
 * writes the same pieces straight to the socket instead (see `socket-body.ts`), with the same
 * rules.
 */
export function streamObjectSpan(
  request: PublicReadRequest,
  version: ObjectVersion,
  span: Span,
  report: ReadReport,
  keys?: SegmentKeyOpener,
): Promise<ReadableStream<Uint8Array>> {
  return streamVerifiedPieces(request, report, (signal) => readObjectRange(request.deps, version, span, report, signal, keys));
}

/** `streamObjectSpan` for any verified pieces: `read` starts them, and stops when its signal aborts. */
export async function streamVerifiedPieces(
  request: PublicReadRequest,
  report: ReadReport,
  read: (signal: AbortSignal) => AsyncGenerator<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  const { deps, c, log } = request;
  const abort = new AbortController();
  report.timing ??= log.timing; // the body's own shard reads are the ones the stages describe
  const pieces = read(abort.signal);
  const first = await pieces.next();
  const body: VerifiedPieces = {
    first: first.done ? null : first.value,
    pieces,
    abort,
    sendProgressTimeoutMs: deps.config.sendProgressTimeoutMs,
    onPiece: (length) => { log.bytesOut += length; },
    onError: (error) => {
      log.error = error.message;
      deps.logger.error('read_failed_mid_body', { requestId: c.get('requestId'), bucket: request.bucket, key: request.key, error: error.message });
    },
    onClientStalled: (timeoutMs) => {
      log.error = `the client read nothing for ${timeoutMs} ms`;
      deps.logger.warn('client_stopped_reading', { requestId: c.get('requestId'), bucket: request.bucket, key: request.key, bytesSent: log.bytesOut, timeoutMs });
    },
  };
  // Watches while an enqueued piece waits for the client (highWaterMark 0: the next pull comes only
  // once the response has drained), so time the gateway spends reading does not count.
  const outgoing = c.env?.outgoing;
  let stopWatching = () => {};
  const awaitClient = () => {
    if (outgoing) stopWatching = watchSendProgress(outgoing, body.sendProgressTimeoutMs, body.onClientStalled);
  };
  let firstSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      stopWatching();
      if (!firstSent) { // lazily: when the app writes to the socket itself, this stream is never read
        firstSent = true;
        if (body.first === null) return controller.close();
        body.onPiece(body.first.length);
        controller.enqueue(body.first);
        return awaitClient();
      }
      try {
        const next = await pieces.next();
        if (next.done) return controller.close();
        body.onPiece(next.value.length);
        controller.enqueue(next.value);
        awaitClient();
      } catch (error) {
        body.onError(error as Error);
        controller.error(error);
      }
    },
    async cancel() {
      stopWatching();
      abort.abort();
      await pieces.return(undefined).catch(() => {});
    },
  }, { highWaterMark: 0 });
  offerSocketBody(c, stream, body);
  return stream;
}
