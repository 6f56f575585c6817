/**
 * A Hono middleware that reads a small request body whole before the handler runs, refusing it
 * when it is larger than `maxBytes` or sends nothing for `progressTimeoutMs`. A Content-Length over
 * the limit is refused before a byte of the body is read; a chunked body is counted as it
 * streams and refused at the first byte past the limit, so memory stays at `maxBytes`. The
 * refusal should close the connection (`Connection: close`): the rest of the body is never read.
 */
import type { Context, MiddlewareHandler } from 'hono';

export type BodyRefusal =
  | { readonly kind: 'too-large'; readonly maxBytes: number; readonly declaredBytes: number | null }
  | { readonly kind: 'stalled'; readonly progressTimeoutMs: number };

export interface BodyLimitOptions<C extends Context> {
  readonly maxBytes: number;
  readonly progressTimeoutMs: number;
  /** The response for a refused body (413 for too large, 408 for a stalled one, in the route's error format). */
  readonly refuse: (c: C, refusal: BodyRefusal) => Response | Promise<Response>;
}

export function bodyLimit<C extends Context<any>>(options: BodyLimitOptions<C>): MiddlewareHandler {
  const { maxBytes, progressTimeoutMs } = options;
  return async function limitBody(c, next) {
    const refuse = (refusal: BodyRefusal) => options.refuse(c as C, refusal);
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const declared = c.req.header('content-length');
    if (!chunked && declared !== undefined) {
      const declaredBytes = Number(declared);
      if (!(declaredBytes <= maxBytes)) return refuse({ kind: 'too-large', maxBytes, declaredBytes: Number.isFinite(declaredBytes) ? declaredBytes : null });
    }
    const stream = c.req.raw.body;
    if (!stream) return next();
    const reader = stream.getReader();
    const pieces: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const result = await withinTimeout(reader.read(), progressTimeoutMs);
      if (result === STALLED) return refuse({ kind: 'stalled', progressTimeoutMs });
      if (result.done) break;
      size += result.value.length;
      if (size > maxBytes) return refuse({ kind: 'too-large', maxBytes, declaredBytes: null });
      pieces.push(result.value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(pieces, size) });
    return next();
  };
}

const STALLED = Symbol('stalled');

function withinTimeout<T>(promise: Promise<T>, milliseconds: number): Promise<T | typeof STALLED> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => { timer = setTimeout(resolve, milliseconds, STALLED); });
  promise.catch(() => {}); // abandoned after a stall
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer));
}
