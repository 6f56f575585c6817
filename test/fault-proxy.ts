/**
 * A loopback HTTP proxy in front of a real gateway that fails chosen requests: every request is
 * forwarded unchanged (its Host header too, so SigV4 signatures stay valid) unless `decide`
 * answers `503` (the body is read, then a 503 ServiceUnavailable S3 error is sent), `cut` (the
 * client's connection is destroyed before anything is forwarded) — those never reach the
 * gateway — or `lose-answer` (forwarded and done by the gateway, but its answer is dropped and the
 * client's connection destroyed, as when a response is lost on the way).
 */
import { createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultAction = 'pass' | '503' | 'cut' | 'lose-answer';

export interface FaultProxy {
  readonly url: string;
  /** Requests the proxy failed, in order: `<action> <method> <path?query>`. */
  readonly faults: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string, decide: (request: IncomingMessage) => FaultAction): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const faults: string[] = [];
  const server = createServer((request, response) => {
    const action = decide(request);
    if (action !== 'pass') faults.push(`${action} ${request.method} ${request.url}`);
    if (action === 'cut') {
      request.socket.destroy();
      return;
    }
    if (action === '503') {
      request.resume();
      request.on('end', () => {
        response.writeHead(503, { 'content-type': 'application/xml', connection: 'close' })
          .end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>injected by the test proxy</Message></Error>');
      });
      return;
    }
    const upstream = forward({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      if (action === 'lose-answer') {
        answer.resume();
        answer.on('end', () => request.socket.destroy());
        return;
      }
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Whether this is a CompleteMultipartUpload (`POST …?uploadId=…`). */
export function isCompleteUpload(request: IncomingMessage): boolean {
  return request.method === 'POST' && new URL(request.url ?? '/', 'http://proxy').searchParams.has('uploadId');
}

/** The part number of an UploadPart request (`PUT …?partNumber=N&uploadId=…`), else null. */
export function uploadPartNumber(request: IncomingMessage): number | null {
  if (request.method !== 'PUT') return null;
  const query = new URL(request.url ?? '/', 'http://proxy').searchParams;
  if (!query.has('uploadId') || !query.has('partNumber')) return null;
  return Number(query.get('partNumber'));
}
