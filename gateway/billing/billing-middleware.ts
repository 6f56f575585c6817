import type { MiddlewareHandler } from 'hono';
import { requestClassOf } from '../../src/billing/request-class.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { GatewayContext, GatewayEnv } from '../context.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { UsageRecorder } from './usage-recorder.ts';

/** Status recorded for a request whose client left before any response went out (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

export interface BillingMiddlewareOptions {
  readonly recorder: UsageRecorder;
  /** Finds the owner of a bucket an anonymous request read (public-read buckets bill their owner). */
  readonly store: Pick<MetaStore, 'getBucket'>;
  readonly metrics: Pick<GatewayMetrics, 'unbilledRequests'>;
  readonly now: () => Date;
}

/**
 * Meters every S3 request: class (write/list, read, free), bytes in, body bytes actually sent,
 * status. The measurement is taken when the response is finished or the client hung up (the
 * outgoing message's 'close'), so a download cut short is billed for the bytes that went out,
 * and it is handed to the recorder's in-memory batch: nothing on the response path waits for it.
 *
 * Who pays: the account that signed the request. An anonymous request that succeeded (a
 * public-read bucket) is billed to the bucket's owner; any other request without an account
 * (failed before or at authentication) is billed to nobody and counted in `unbilledRequests`.
 */
export function billingMiddleware(options: BillingMiddlewareOptions): MiddlewareHandler<GatewayEnv> {
  return async function meterUsage(c, next) {
    const outgoing = c.env?.outgoing;
    if (outgoing && !c.req.path.startsWith('/_/')) {
      const startedAt = options.now();
      outgoing.once('close', () => meter(options, c, startedAt));
    }
    await next();
  };
}

function meter(options: BillingMiddlewareOptions, c: GatewayContext, startedAt: Date): void {
  const log = c.get('log');
  const outgoing = c.env.outgoing;
  const status = outgoing.headersSent ? outgoing.statusCode : CLIENT_CLOSED_REQUEST;
  const bucket = log.bucket ?? '';
  const measured = {
    bucket,
    requestClass: requestClassOf(c.req.method, log.operation),
    status,
    startedAt,
    bytesIn: log.bytesIn,
    bytesOut: log.bytesOut,
  };
  if (log.accountId !== undefined) {
    options.recorder.record({ accountId: log.accountId, ...measured });
    return;
  }
  if (bucket === '' || status >= 400) {
    options.metrics.unbilledRequests++;
    return;
  }
  options.store.getBucket(bucket).then(
    (owner) => {
      if (owner) options.recorder.record({ accountId: owner.accountId, ...measured });
      else options.metrics.unbilledRequests++;
    },
    () => { options.metrics.unbilledRequests++; },
  );
}
