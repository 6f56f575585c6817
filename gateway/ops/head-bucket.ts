import type { S3Request } from '../s3-dispatch.ts';
import { requireOwnedBucket } from './bucket-access.ts';

export async function headBucket(request: S3Request): Promise<Response> {
  await requireOwnedBucket(request);
  return new Response(null, { status: 200, headers: { 'x-amz-bucket-region': request.deps.config.region } });
}
