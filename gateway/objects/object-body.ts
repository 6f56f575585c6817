import type { SegmentKeyOpener } from '../../src/crypto/segment-keys.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-request.ts';

/**
 * The verified bytes of `span` of an object as a response body. The first piece is read before
 * the caller sends the status line, so unreadable bytes become a 503 S3 error rather than a 200
 * with a broken body; a later failure errors the stream, which aborts the connection (a short
 * body, never a complete-looking wrong one); a client that hangs up cancels the shard reads
 * behind it, and so does a client that reads nothing for `--send-progress-timeout` while a piece
 * waits for it (its connection is closed: a reader that stops must not hold the pooled shard
 * connections other requests need). Body bytes sent are counted in the request log (egress,
 * billing). `keys`: an SSE-C object's customer keys (see readObjectRange).
 */
export async function streamObjectSpan(
  request: PublicReadRequest,
  version: ObjectVersion,
  span: Span,
  report: ReadReport,
  keys?: SegmentKeyOpener,
): Promise<ReadableStream<Uint8Array>> {
  const { deps, c, log } = request;
  const abort = new AbortController();
  const pieces = readObjectRange(deps, version, span, report, abort.signal, keys);
  const first = await pieces.next();
  // Watches while an enqueued piece waits for the client (highWaterMark 0: the next pull comes only
  // once the response has drained), so time the gateway spends reading does not count; a slow
  // client that still takes bytes (the response's unsent bytes shrinking) is making progress.
  const outgoing = c.env.outgoing;
  const timeoutMs = deps.config.sendProgressTimeoutMs;
  let watch: NodeJS.Timeout | undefined;
  const awaitClient = () => {
    let progressAt = Date.now();
    let unsent = outgoing.writableLength;
    watch = setInterval(() => {
      const now = outgoing.writableLength;
      if (now < unsent) progressAt = Date.now();
      unsent = now;
      if (Date.now() - progressAt < timeoutMs) return;
      clearInterval(watch);
      log.error = `the client read nothing for ${timeoutMs} ms`;
      deps.logger.warn('client_stopped_reading', { requestId: c.get('requestId'), bucket: request.bucket, key: request.key, bytesSent: log.bytesOut, timeoutMs });
      // A reset, not a close: a FIN would wait behind the unread bytes, and the kernel would keep the
      // socket's buffers. Closing the response cancels this stream (the adapter's close handler),
      // which aborts the shard reads.
      if (outgoing.socket) outgoing.socket.resetAndDestroy();
      else outgoing.destroy();
    }, Math.max(50, Math.floor(timeoutMs / 5)));
  };
  const clientRead = () => clearInterval(watch);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) return controller.close();
      log.bytesOut += first.value.length;
      controller.enqueue(first.value);
      awaitClient();
    },
    async pull(controller) {
      clientRead();
      try {
        const next = await pieces.next();
        if (next.done) return controller.close();
        log.bytesOut += next.value.length;
        controller.enqueue(next.value);
        awaitClient();
      } catch (error) {
        log.error = (error as Error).message;
        deps.logger.error('read_failed_mid_body', { requestId: c.get('requestId'), bucket: request.bucket, key: request.key, error: (error as Error).message });
        controller.error(error);
      }
    },
    async cancel() {
      clientRead();
      abort.abort();
      await pieces.return(undefined).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
