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
 * behind it. Body bytes sent are counted in the request log (egress, billing). `keys`: an SSE-C
 * object's customer keys (see readObjectRange).
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
  report.timing ??= log.timing; // the body's own shard reads are the ones the stages describe
  const pieces = readObjectRange(deps, version, span, report, abort.signal, keys);
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
