import { parseRangeHeader, formatContentRange } from '../../src/s3/range.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { readArchived } from '../archive/archived-read.ts';
import { readPartNumber } from '../multipart/part-read.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { existingObjectKeys } from '../sse/request-encryption.ts';
import { checkReadConditions } from '../objects/conditions.ts';
import { streamObjectSpan } from '../objects/object-body.ts';
import { timed } from '../request-timing.ts';
import { requireReadableObject } from '../access/object-access.ts';
import { checksumHeaders, objectHeaders, responseOverrides } from '../objects/object-headers.ts';
import { expirationHeaders } from '../lifecycle/expiration-header.ts';

/**
 * GetObject: the range (or the whole object, or one part) resolved to shard windows and streamed,
 * every byte verified (see `streamObjectSpan` for what a client sees when shards fail).
 */
export async function getObject(request: PublicReadRequest): Promise<Response> {
  const { c, log } = request;
  const archived = await readArchived(request, 'GET'); // member by path, ?range=
  if (archived) return archived;
  const { bucket, version } = await timed(log.timing, 'metadata', () => requireReadableObject(request, request.bucket, request.key));
  const header = (name: string) => c.req.header(name);
  const { keys, customerKey } = existingObjectKeys(request, version.encryption);
  checkReadConditions(version, header);
  const part = await timed(log.timing, 'metadata', () => readPartNumber(request, version, header('range'))); // ?partNumber=N: that part's span
  const range = part ? part.span : parseRangeHeader(header('range'), version.size);
  const span = range ?? { offset: 0, length: version.size };
  const headers: Record<string, string> = {
    ...objectHeaders(version),
    ...part?.headers,
    ...checksumHeaders(version, header('x-amz-checksum-mode'), range !== null),
    ...responseOverrides(request.query),
    ...customerKeyResponseHeaders(customerKey),
    ...await expirationHeaders(request.deps, bucket, version),
    'content-length': String(span.length),
  };
  if (range && range.length > 0) headers['content-range'] = formatContentRange(range, version.size);
  const status = range && range.length > 0 ? 206 : 200;
  if (span.length === 0) return new Response(null, { status, headers });

  const report: ReadReport = { shardsRead: 0, failures: [] };
  log.read = report;
  const body = await streamObjectSpan(request, version, span, report, keys);
  return new Response(body, { status, headers });
}
