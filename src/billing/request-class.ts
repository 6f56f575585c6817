import type { RequestClass } from '../meta/usage-types.ts';

/**
 * S3's request tiers: PUT, COPY, POST and LIST requests are priced together ("write"); GET,
 * HEAD and all other requests are the cheaper tier ("read"); DELETE and CANCEL requests are free
 * (https://aws.amazon.com/s3/pricing/). CopyObject and UploadPart are PUTs, the multipart
 * create/complete calls POSTs, so the method decides except for listings (GETs priced as writes)
 * and DeleteObjects, a POST that only deletes: free here, so cleaning up never costs.
 */
export function requestClassOf(method: string, operation: string | undefined): RequestClass {
  if (operation === 'DeleteObjects' || operation === 'AbortMultipartUpload') return 'free';
  if (operation !== undefined && operation.startsWith('List')) return 'write';
  switch (method.toUpperCase()) {
    case 'PUT':
    case 'POST':
      return 'write';
    case 'DELETE':
      return 'free';
    default:
      return 'read';
  }
}

/**
 * S3 bills requests answered 2xx, 3xx and 4xx, never 5xx server errors
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorCodeBilling.html).
 */
export function isBilledStatus(status: number): boolean {
  return status < 500;
}
