import { NotEnoughShardsError } from '../src/erasure/errors.ts';
import { MetaStoreUnavailableError } from '../src/meta/store.ts';
import { S3Error } from '../src/s3/errors.ts';
import { errorXml } from '../src/s3/xml.ts';
import type { GatewayContext, GatewayDeps } from './context.ts';
import { WriteQuorumError } from './write/errors.ts';

/** Any failure → S3 XML with the right code and status; anything unexpected → InternalError + a log line. */
export function errorResponse(deps: GatewayDeps, c: GatewayContext, error: Error): Response {
  const s3Error = toS3Error(error);
  if (s3Error.code === 'InternalError') {
    deps.logger.error('internal_error', { requestId: c.get('requestId'), error: error.stack ?? error.message });
  }
  const log = c.get('log');
  if (log) log.error = s3Error.code;
  const headers: Record<string, string> = {
    ...s3Error.headers,
    'x-amz-request-id': c.get('requestId') ?? '',
    'x-amz-id-2': c.get('requestId') ?? '',
    server: 'shardgate',
  };
  if (c.req.method === 'HEAD' || s3Error.status === 304) return new Response(null, { status: s3Error.status, headers });
  headers['content-type'] = 'application/xml';
  return new Response(errorDocument(c, s3Error), { status: s3Error.status, headers });
}

/** The `<Error>` document for `s3Error` as this request's response body. */
export function errorDocument(c: GatewayContext, s3Error: S3Error): string {
  return errorXml({
    code: s3Error.code,
    message: s3Error.message,
    resource: s3Error.resource ?? decodeSafely(new URL(c.req.url).pathname),
    requestId: c.get('requestId') ?? '',
    extra: s3Error.extra,
  });
}

export function toS3Error(error: Error): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof NotEnoughShardsError) {
    return new S3Error('ServiceUnavailable', {
      message: `Not enough good shards are available to read this object right now (${error.message}).`,
      cause: error,
    });
  }
  if (error instanceof MetaStoreUnavailableError) {
    return new S3Error('ServiceUnavailable', { message: 'The metadata database is unreachable right now; retry shortly.', cause: error });
  }
  if (error instanceof WriteQuorumError) {
    return new S3Error('ServiceUnavailable', {
      message: `Not enough shard nodes are reachable to store this object right now (${error.message}).`,
      cause: error,
    });
  }
  return new S3Error('InternalError', { cause: error });
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
