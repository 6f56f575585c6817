/**
 * The request every S3 operation handler receives, in a leaf module: handlers import their types
 * from here, and only the dispatcher (s3-dispatch.ts) imports the handlers.
 */
import type { Authenticated, Caller } from './auth.ts';
import type { GatewayContext, GatewayDeps, RequestLog } from './context.ts';
import type { S3Operation } from './router.ts';

/** One S3 request, resolved and authenticated, as every operation handler receives it. */
export interface S3Request {
  readonly deps: GatewayDeps;
  readonly c: GatewayContext;
  readonly bucket: string;
  readonly key: string;
  /** What the router resolved the request to; the access decision authorizes it (access/operation-actions.ts). */
  readonly operation: S3Operation;
  readonly query: URLSearchParams;
  readonly auth: Authenticated;
  readonly log: RequestLog;
}

export type S3Handler = (request: S3Request) => Promise<Response>;

/**
 * A request to an operation a public-read bucket opens to everyone: the caller may be another
 * account or anonymous, and the handler decides with the access checks of gateway/access/.
 */
export type PublicReadRequest = Omit<S3Request, 'auth'> & { readonly auth: Caller };

/** S3's limit on a key: 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
