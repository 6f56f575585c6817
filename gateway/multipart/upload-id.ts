import { randomBytes } from 'node:crypto';

/**
 * A new upload id: the start time (milliseconds, 12 hex digits) then 80 random bits. Ids of one
 * key therefore sort in the order the uploads started, which is the order ListMultipartUploads
 * must use and the order its `upload-id-marker` resumes in.
 */
export function newUploadId(startedAt: Date): string {
  return startedAt.getTime().toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
}
