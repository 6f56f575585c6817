import { ArchiveError } from '../../src/archive/errors.ts';
import { S3Error } from '../../src/s3/errors.ts';

/**
 * An archive failure as the S3 error a client gets: a compressed or encrypted member is
 * UnsupportedArchiveMember naming the member; any other format problem (not a ZIP, truncated,
 * duplicate or unsafe names, a central directory too large) is InvalidArchive naming the object.
 * Anything that is not an ArchiveError (not enough shards) passes through unchanged.
 */
export function archiveS3Error(error: unknown, bucket: string, archiveKey: string): unknown {
  if (!(error instanceof ArchiveError)) return error;
  const resource = `/${bucket}/${archiveKey}`;
  if (error.code === 'ZIP_COMPRESSED_MEMBER' || error.code === 'ZIP_ENCRYPTED_MEMBER') {
    return new S3Error('UnsupportedArchiveMember', {
      message: `${archiveKey}: ${error.message}`,
      resource,
      extra: { Key: archiveKey, Member: error.member ?? '' },
      cause: error,
    });
  }
  return new S3Error('InvalidArchive', { message: `${archiveKey}: ${error.message}`, resource, extra: { Key: archiveKey }, cause: error });
}
