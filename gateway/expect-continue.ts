/**
 * `Expect: 100-continue` as S3 answers it: the client is invited to send its body only after the
 * request has been authenticated, so an unauthorised client gets its 403 without uploading
 * anything. Node's default answers 100 at once, before any handler runs; instead the gateway holds
 * the interim response until `sendContinue` is called (after SigV4 succeeds). Routes under `/_/`
 * (admin, node registration) authenticate in their own handlers and are invited at once.
 *
 * Any other `Expect` value is ignored as S3 ignores it (Node would answer 417).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const PENDING_CONTINUE = Symbol('shardgate.pendingContinue');

type AwaitingContinue = IncomingMessage & { [PENDING_CONTINUE]?: ServerResponse };

export function holdContinueUntilAuthenticated(server: Server): void {
  server.on('checkContinue', (request: AwaitingContinue, response: ServerResponse) => {
    if ((request.url ?? '').startsWith('/_/')) response.writeContinue();
    else request[PENDING_CONTINUE] = response;
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
}

/** Sends the `100 Continue` a request is waiting for, once; does nothing for any other request. */
export function sendContinue(request: IncomingMessage): void {
  const awaiting = request as AwaitingContinue;
  const response = awaiting[PENDING_CONTINUE];
  if (!response) return;
  delete awaiting[PENDING_CONTINUE];
  if (!response.headersSent && !response.writableEnded) response.writeContinue();
}
