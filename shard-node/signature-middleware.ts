/**
 * Refuses any request that is not signed by the gateway with this node's secret (403 with the
 * reason), and answers 503 while the node has no secret yet (not registered). The signature
 * headers and values are never logged.
 */
import type { MiddlewareHandler } from 'hono';
import { verifyNodeRequest, type NodeSignatureVerdict } from '../src/node-protocol/signature.ts';
import type { NodeErrorBody, NodeErrorCode } from '../src/node-protocol/routes.ts';
import { type Clock, unixSeconds } from './clock.ts';
import { rawRequestTarget, type NodeAppEnv } from './request-target.ts';

export interface NodeSignatureOptions {
  /** The secret from the latest registration, or null before the first one. */
  readonly getSecret: () => string | null;
  readonly clock: Clock;
}

const REFUSALS: Record<Exclude<NodeSignatureVerdict, 'ok'>, NodeErrorBody & { error: NodeErrorCode }> = {
  missing: { error: 'SIGNATURE_MISSING', message: 'request is not signed' },
  expired: { error: 'SIGNATURE_EXPIRED', message: 'signature has expired' },
  forged: { error: 'SIGNATURE_INVALID', message: 'signature does not match' },
};

export function requireNodeSignature(options: NodeSignatureOptions): MiddlewareHandler<NodeAppEnv> {
  return async function nodeSignature(c, next) {
    const secret = options.getSecret();
    if (secret === null) {
      return c.json({ error: 'NOT_REGISTERED', message: 'node has not registered with the gateway yet' } satisfies NodeErrorBody, 503);
    }
    const verdict = verifyNodeRequest(secret, {
      method: c.req.method,
      pathWithQuery: rawRequestTarget(c),
      range: c.req.header('range'),
      headers: (name) => c.req.header(name),
    }, unixSeconds(options.clock));
    if (verdict !== 'ok') return c.json(REFUSALS[verdict] satisfies NodeErrorBody, 403);
    await next();
  };
}
