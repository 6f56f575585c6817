import type { PublicReadRequest } from '../s3-request.ts';
import { readArchived } from '../archive/archived-read.ts';
import { formatContentRange } from '../../src/s3/range.ts';
import { readPartNumber } from '../multipart/part-read.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { existingObjectKeys } from '../sse/request-encryption.ts';
import { checkReadConditions } from '../objects/conditions.ts';
import { requireReadableObject } from '../access/object-access.ts';
import { checksumHeaders, objectHeaders } from '../objects/object-headers.ts';
import { expirationHeaders } from '../lifecycle/expiration-header.ts';

export async function headObject(request: PublicReadRequest): Promise<Response> {
  const archived = await readArchived(request, 'HEAD'); // member by path, ?range=
  if (archived) return archived;
  const { bucket, version } = await requireReadableObject(request, request.bucket, request.key);
  const header = (name: string) => request.c.req.header(name);
  const { customerKey } = existingObjectKeys(request, version.encryption);
  checkReadConditions(version, header);
  const part = await readPartNumber(request, version, undefined); // ?partNumber=N: that part's span
  const span = part?.span ?? null;
  const ranged = span !== null && span.length > 0;
  const expiration = await expirationHeaders(request.deps, bucket, version);
  return new Response(null, {
    status: ranged ? 206 : 200,
    headers: {
      ...objectHeaders(version),
      ...checksumHeaders(version, header('x-amz-checksum-mode'), span !== null),
      ...part?.headers,
      ...customerKeyResponseHeaders(customerKey),
      ...expiration,
      'content-length': String(span?.length ?? version.size),
      ...(ranged ? { 'content-range': formatContentRange(span, version.size) } : {}),
    },
  });
}
