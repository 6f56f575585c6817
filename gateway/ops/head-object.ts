import type { S3Request } from '../s3-dispatch.ts';
import { checkReadConditions } from './conditions.ts';
import { requireObject } from './object-access.ts';
import { checksumHeaders, objectHeaders } from './object-headers.ts';

export async function headObject(request: S3Request): Promise<Response> {
  const version = await requireObject(request);
  const header = (name: string) => request.c.req.header(name);
  checkReadConditions(version, header);
  return new Response(null, {
    status: 200,
    headers: {
      ...objectHeaders(version),
      ...checksumHeaders(version, header('x-amz-checksum-mode'), false),
      'content-length': String(version.size),
    },
  });
}
