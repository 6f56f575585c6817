import type { CorsRule } from '../../src/meta/types.ts';

/** What a cross-origin request asks for: from a preflight, or from the actual request. */
export interface CorsAsk {
  readonly origin: string;
  /** The preflight's Access-Control-Request-Method, or the actual request's method. */
  readonly method: string;
  /** The preflight's Access-Control-Request-Headers, lower-case; none for an actual request. */
  readonly requestHeaders: readonly string[];
}

/** The Vary S3 sends with CORS headers: the answer depends on all three request headers. */
export const CORS_VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/**
 * The first rule that allows the origin, the method and every requested header, as S3 evaluates
 * a bucket's CORS configuration (rules in order, first match wins). Origins compare exactly
 * except for one `*`, which matches any run of characters; headers compare case-insensitively.
 */
export function findCorsRule(rules: readonly CorsRule[], ask: CorsAsk): CorsRule | undefined {
  return rules.find((rule) =>
    rule.allowedOrigins.some((pattern) => wildcardMatch(pattern, ask.origin))
    && (rule.allowedMethods as readonly string[]).includes(ask.method)
    && ask.requestHeaders.every((header) => rule.allowedHeaders.some((pattern) => wildcardMatch(pattern.toLowerCase(), header))));
}

/**
 * The headers S3 answers a matching rule with. `Access-Control-Allow-Origin` is `*` for a rule
 * that allows every origin, else the request's origin with `Allow-Credentials: true`;
 * `Allow-Headers` echoes the preflight's requested headers.
 */
export function corsHeaders(rule: CorsRule, ask: CorsAsk): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = { 'access-control-allow-origin': anyOrigin ? '*' : ask.origin };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  headers['access-control-allow-methods'] = rule.allowedMethods.join(', ');
  if (ask.requestHeaders.length > 0) headers['access-control-allow-headers'] = ask.requestHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  headers.vary = CORS_VARY;
  return headers;
}

/** `Access-Control-Request-Headers: Content-Type, X-Amz-Date` → `['content-type', 'x-amz-date']`. */
export function parseRequestHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
}

function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return value.length >= prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
}
