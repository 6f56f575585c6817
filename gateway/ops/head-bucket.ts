import type { PublicReadRequest } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

export async function headBucket(request: PublicReadRequest): Promise<Response> {
  await authorizeBucket(request);
  return new Response(null, { status: 200, headers: { 'x-amz-bucket-region': request.deps.config.region } });
}
