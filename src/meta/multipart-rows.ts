/** Multipart rows as records: the same mapping for SQLite and PostgreSQL (same columns). */
import type { PartRow, UploadRow } from './sqlite-multipart-statements.ts';
import type { MultipartUpload, UploadedPart } from './multipart-types.ts';

export function toUpload(row: UploadRow, bucket: string): MultipartUpload {
  return {
    uploadId: row.upload_id,
    bucket,
    key: row.key,
    initiatorAccountId: row.initiator_account_id,
    initiatedAt: new Date(row.initiated_at),
    // Uploads started before tagging stored no tags.
    headers: { tags: [], ...JSON.parse(row.headers) as Partial<MultipartUpload['headers']> } as MultipartUpload['headers'],
    checksumAlgorithm: row.checksum_algorithm,
    checksumType: row.checksum_type,
  };
}

export function toPart(row: PartRow): UploadedPart {
  return {
    partNumber: row.part_number,
    size: row.size,
    etag: row.etag,
    checksums: JSON.parse(row.checksums) as Record<string, string>,
    lastModified: new Date(row.last_modified),
  };
}
