import { S3Error } from '../../src/s3/errors.ts';
import { CORS_METHODS } from '../../src/s3/xml-bucket-config.ts';
import type { BucketAddress } from '../addressing.ts';
import type { GatewayContext, GatewayDeps } from '../context.ts';
import { corsHeaders, findCorsRule, parseRequestHeaders } from './cors-rules.ts';

const NOT_ALLOWED = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * A browser's CORS preflight (`OPTIONS` on a bucket or object), answered from the bucket's CORS
 * rules without authentication, as S3 does: 200 with the matching rule's headers, else
 * 403 AccessForbidden (bucket missing, no CORS configuration, no rule matching) carrying the
 * requested Method and the ResourceType; a preflight without Origin or with a method CORS rules
 * cannot name is 400 BadRequest.
 */
export async function answerPreflight(deps: GatewayDeps, c: GatewayContext, address: BucketAddress): Promise<Response> {
  const log = c.get('log');
  log.operation = 'PreflightCors';
  if (address.bucket) log.bucket = address.bucket;
  if (address.key) log.key = address.key;
  const origin = c.req.header('origin');
  if (origin === undefined) throw new S3Error('BadRequest');
  const method = c.req.header('access-control-request-method');
  if (method === undefined || !(CORS_METHODS as readonly string[]).includes(method)) {
    throw new S3Error('BadRequest', { message: `Invalid Access-Control-Request-Method: ${method ?? 'null'}` });
  }
  const forbidden = (message: string) => new S3Error('AccessForbidden', {
    message, extra: { Method: method, ResourceType: address.key === '' ? 'BUCKET' : 'OBJECT' },
  });
  const bucket = address.bucket === '' ? null : await deps.store.getBucket(address.bucket);
  if (!bucket) throw forbidden('CORSResponse: Bucket not found');
  const rules = await deps.store.getBucketCors(bucket.name);
  if (rules === null) throw forbidden('CORSResponse: CORS is not enabled for this bucket.');
  const ask = { origin, method, requestHeaders: parseRequestHeaders(c.req.header('access-control-request-headers')) };
  const rule = findCorsRule(rules, ask);
  if (!rule) throw forbidden(NOT_ALLOWED);
  return new Response(null, { status: 200, headers: corsHeaders(rule, ask) });
}
