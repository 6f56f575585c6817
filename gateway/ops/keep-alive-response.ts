import { XML_DECLARATION } from '../../src/s3/xml.ts';
import type { GatewayDeps } from '../context.ts';
import { errorDocument, toS3Error } from '../error-response.ts';
import type { S3Request } from '../s3-request.ts';

/**
 * The response of work that may outlast a client's read timeout (a copy that re-encrypts up to
 * 5 GiB): when `work` settles within `--keep-alive-interval`, its XML document as usual (or its
 * error through the normal error path); otherwise S3's answer to long copies — 200 and the XML
 * declaration at once, a space every interval while the work runs, then the result document or,
 * if the work failed, an `<Error>` document after the 200 (the SDKs and the aws CLI read an
 * `<Error>` in a 200 CopyObject / UploadPartCopy body as the failure it is). `headers` are the
 * response headers known before the work ends; the work's own `headers` (such as checksums, which
 * the document repeats) are sent only when it ends in time.
 */
export async function keepAliveXmlResponse(
  request: S3Request,
  headers: Readonly<Record<string, string>>,
  work: Promise<{ readonly xml: string; readonly headers?: Readonly<Record<string, string>> }>,
): Promise<Response> {
  const { deps, c, log } = request;
  const intervalMs = deps.config.keepAliveIntervalMs;
  const settled = work.then((result) => result, (error: Error) => ({ error }));
  const early = await Promise.race([settled, delay(intervalMs)]);
  if (early) {
    if ('error' in early) throw early.error;
    return new Response(early.xml, { status: 200, headers: { ...headers, ...early.headers, 'content-type': 'application/xml' } });
  }
  const encoder = new TextEncoder();
  let spaces: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${XML_DECLARATION}\n`));
      spaces = setInterval(() => controller.enqueue(encoder.encode(' ')), intervalMs);
      void settled.then((outcome) => {
        clearInterval(spaces);
        const xml = 'xml' in outcome ? outcome.xml : lateError(deps, request, outcome.error);
        const document = xml.startsWith(XML_DECLARATION) ? xml.slice(XML_DECLARATION.length) : xml;
        log.bytesOut += document.length;
        controller.enqueue(encoder.encode(document));
        controller.close();
      });
    },
    cancel() {
      clearInterval(spaces);
    },
  });
  return new Response(body, { status: 200, headers: { ...headers, 'content-type': 'application/xml' } });
}

/** A failure after the 200 went out: logged like any failed request, sent as an `<Error>` document. */
function lateError(deps: GatewayDeps, request: S3Request, error: Error): string {
  const s3Error = toS3Error(error);
  const requestId = request.c.get('requestId');
  if (s3Error.code === 'InternalError') deps.logger.error('internal_error', { requestId, error: error.stack ?? error.message });
  request.log.error = s3Error.code;
  deps.logger.warn('failed_after_keep_alive', { requestId, code: s3Error.code, message: s3Error.message });
  return errorDocument(request.c, s3Error);
}

function delay(ms: number): Promise<null> {
  return new Promise((resolve) => { setTimeout(() => resolve(null), ms).unref(); });
}
