import type { PublicReadRequest } from '../s3-request.ts';
import { requireReadableBucket } from '../access/bucket-access.ts';

export async function headBucket(request: PublicReadRequest): Promise<Response> {
  await requireReadableBucket(request);
  return new Response(null, { status: 200, headers: { 'x-amz-bucket-region': request.deps.config.region } });
}
