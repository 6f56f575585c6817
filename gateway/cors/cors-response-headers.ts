import type { MiddlewareHandler } from 'hono';
import { NoSuchBucketError } from '../../src/meta/store.ts';
import type { CorsRule } from '../../src/meta/types.ts';
import { requestAddress } from '../addressing.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { corsHeaders, findCorsRule } from './cors-rules.ts';

/**
 * CORS headers on actual S3 responses, errors included: a request with `Origin` to a bucket
 * whose CORS rules allow that origin and method gets the rule's headers (S3 takes the method from
 * Access-Control-Request-Method when the request carries it). No match, no CORS headers at all.
 * Preflights (`OPTIONS`) answer for themselves.
 */
export function corsResponseHeaders(deps: GatewayDeps): MiddlewareHandler<GatewayEnv> {
  return async function corsResponseHeadersMiddleware(c, next) {
    await next();
    const origin = c.req.header('origin');
    if (origin === undefined || c.req.method === 'OPTIONS') return;
    let bucket: string;
    try {
      bucket = requestAddress(c, deps.config.baseDomains).bucket;
    } catch {
      return; // a malformed path already got its error
    }
    if (bucket === '') return;
    let rules: readonly CorsRule[] | null;
    try {
      rules = await deps.store.getBucketCors(bucket);
    } catch (error) {
      if (error instanceof NoSuchBucketError) return;
      throw error;
    }
    if (rules === null) return;
    const ask = { origin, method: c.req.header('access-control-request-method') ?? c.req.method, requestHeaders: [] };
    const rule = findCorsRule(rules, ask);
    if (!rule) return;
    for (const [name, value] of Object.entries(corsHeaders(rule, ask))) c.res.headers.set(name, value);
  };
}
