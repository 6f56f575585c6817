/**
 * Verified object bytes written straight to the Node socket, without the web-stream round trip.
 *
 * `@hono/node-server` writes a streamed `Response` by reading its web stream; before the status
 * line it tries to read a second piece and, when that is not ready at once (a range read's next
 * chunk is still on the network), waits a `setTimeout` tick (≥ 1 ms, more on a busy machine) —
 * on every streamed GET. Then every chunk costs a reader promise and a stream pull. A body made by
 * `streamObjectSpan` is offered here as well; the app's outermost middleware, once every header
 * is set, takes it and writes the pieces itself with back-pressure (`sendToSocket`), and tells the
 * adapter the response is already sent. Anything else (or `app.request()` without a socket) goes
 * the ordinary way through the web stream, which reads the same pieces.
 */
import type { ServerResponse } from 'node:http';

/** A verified body: its first piece (already read, null when empty) and the rest to come. */
export interface VerifiedPieces {
  readonly first: Uint8Array | null;
  readonly pieces: AsyncGenerator<Uint8Array>;
  /** Aborted when the client hangs up: cancels the shard reads behind the body. */
  readonly abort: AbortController;
  /** Called with each piece's length as it is handed to the socket. */
  readonly onPiece: (length: number) => void;
  /** Called once when a later piece fails (the connection is then cut: a short body). */
  readonly onError: (error: Error) => void;
  /** `--send-progress-timeout`: how long a piece may wait for a client that takes no bytes. */
  readonly sendProgressTimeoutMs: number;
  /** Called once when the client took no bytes for that long (its connection is then reset). */
  readonly onClientStalled: (timeoutMs: number) => void;
}

/**
 * Watches `outgoing` while a piece waits for the client: when its unsent bytes have not shrunk for
 * `timeoutMs`, calls `onStalled` and resets the connection (a reset, not a close: a FIN would wait
 * behind the unread bytes, and the kernel would keep the socket's buffers); closing the response
 * aborts the shard reads. A slow client that still takes bytes is making progress. Returns the
 * function that stops the watch (call it when the client took the piece).
 */
export function watchSendProgress(outgoing: ServerResponse, timeoutMs: number, onStalled: (timeoutMs: number) => void): () => void {
  let progressAt = Date.now();
  let unsent = outgoing.writableLength;
  const watch = setInterval(() => {
    const now = outgoing.writableLength;
    if (now < unsent) progressAt = Date.now();
    unsent = now;
    if (Date.now() - progressAt < timeoutMs) return;
    clearInterval(watch);
    onStalled(timeoutMs);
    if (outgoing.socket) outgoing.socket.resetAndDestroy();
    else outgoing.destroy();
  }, Math.max(50, Math.floor(timeoutMs / 5)));
  return () => clearInterval(watch);
}

/** By request (its Hono context): the last body offered, and the web stream it stands behind. */
const offered = new WeakMap<object, { readonly stream: ReadableStream<Uint8Array>; readonly body: VerifiedPieces }>();

/** Lets the app write `stream`'s pieces to the socket itself when `stream` is the body of `request`'s response (see `takeSocketBody`). */
export function offerSocketBody(request: object, stream: ReadableStream<Uint8Array>, body: VerifiedPieces): void {
  offered.set(request, { stream, body });
}

/**
 * The pieces behind the response body `request` offered, once, when `responseBody()` is still
 * that stream; undefined otherwise. `responseBody` is only called when there was an offer: reading
 * a response's body makes the adapter's fast path for small bodies unusable.
 */
export function takeSocketBody(request: object, responseBody: () => ReadableStream<Uint8Array> | null): VerifiedPieces | undefined {
  const offer = offered.get(request);
  if (!offer) return undefined;
  offered.delete(request);
  return responseBody() === offer.stream ? offer.body : undefined;
}

/** Bytes a response may hold unsent before the next piece waits for 'drain' (a socket's own mark is 16 KiB, less than a piece). */
const SEND_AHEAD_BYTES = 256 * 1024;

/**
 * Writes the status line, `headers` and every piece to `outgoing`, waiting for 'drain' when more
 * than SEND_AHEAD_BYTES are unsent (watched by `watchSendProgress`). A client that hangs up aborts the shard reads;
 * a piece that fails after the status line went out cuts the connection (the client sees a short
 * body, never a wrong one).
 */
export async function sendToSocket(outgoing: ServerResponse, status: number, headers: Headers, body: VerifiedPieces): Promise<void> {
  const head: Record<string, string> = {};
  headers.forEach((value, name) => { head[name] = value; });
  let closed = false;
  let wake: (() => void) | null = null;
  const onClose = () => {
    closed = true;
    if (!outgoing.writableFinished) body.abort.abort();
    wake?.();
  };
  outgoing.once('close', onClose);
  const drained = () => new Promise<void>((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      wake = null;
      resolve();
    };
    wake = done;
    outgoing.on('drain', done);
  });
  // Pieces that are ready together (the chunks of a stripe that arrived in one read of the
  // sockets) go out in one writev: corked until the microtasks that produce them have run.
  let corked = false;
  const uncork = () => {
    corked = false;
    outgoing.uncork();
  };
  try {
    outgoing.writeHead(status, head);
    let piece = body.first;
    while (piece !== null && !closed) {
      body.onPiece(piece.length);
      if (!corked) {
        corked = true;
        outgoing.cork();
        process.nextTick(uncork);
      }
      outgoing.write(piece);
      if (outgoing.writableLength > SEND_AHEAD_BYTES && !closed) {
        const stopWatching = watchSendProgress(outgoing, body.sendProgressTimeoutMs, body.onClientStalled);
        await drained().finally(stopWatching);
      }
      if (closed) break;
      const next = await body.pieces.next();
      piece = next.done ? null : next.value;
    }
    if (!closed) outgoing.end();
  } catch (error) {
    if (!closed) {
      body.onError(error as Error);
      outgoing.destroy(error as Error);
    }
  } finally {
    outgoing.off('close', onClose);
    if (closed) await body.pieces.return(undefined).catch(() => {});
  }
}
