import { parseRangeHeader, formatContentRange } from '../../src/s3/range.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-dispatch.ts';
import { readArchived } from '../archive/archived-read.ts';
import { readPartNumber } from '../multipart/part-read.ts';
import { checkReadConditions } from './conditions.ts';
import { requireObject } from './object-access.ts';
import { checksumHeaders, objectHeaders, responseOverrides } from './object-headers.ts';

/**
 * GetObject: the range (or the whole object) resolved to shard windows and streamed, every byte
 * verified. The first piece is read before the status line goes out, so an object that cannot be
 * read at all gets a 503 S3 error, not a 200 with a broken body; a failure later in the body
 * aborts the connection, so the client sees a short body, never a complete-looking wrong one.
 */
export async function getObject(request: PublicReadRequest): Promise<Response> {
  const { deps, c, log } = request;
  const archived = await readArchived(request, 'GET'); // member by path, ?range=
  if (archived) return archived;
  const version = await requireObject(request);
  const header = (name: string) => c.req.header(name);
  checkReadConditions(version, header);
  const part = await readPartNumber(request, version, header('range')); // ?partNumber=N: that part's span
  const range = part ? part.span : parseRangeHeader(header('range'), version.size);
  const span = range ?? { offset: 0, length: version.size };
  const headers: Record<string, string> = {
    ...objectHeaders(version),
    ...part?.headers,
    ...checksumHeaders(version, header('x-amz-checksum-mode'), range !== null),
    ...responseOverrides(request.query),
    'content-length': String(span.length),
  };
  if (range && range.length > 0) headers['content-range'] = formatContentRange(range, version.size);
  const status = range && range.length > 0 ? 206 : 200;
  if (span.length === 0) return new Response(null, { status, headers });

  const abort = new AbortController();
  const report: ReadReport = { shardsRead: 0, failures: [] };
  log.read = report;
  const pieces = readObjectRange(deps, version, span, report, abort.signal);
  const first = await pieces.next();
  const body = new ReadableStream<Uint8Array>({
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
  return new Response(body, { status, headers });
}
