/**
 * Archive failures as values with stable codes. The CLI prints `message` as its one-line error;
 * the gateway maps codes to S3 errors (`gateway/archive/archive-errors.ts`).
 */
export type ArchiveErrorCode =
  /** Not a ZIP at all, or its records contradict each other (offsets past the end, bad signatures). */
  | 'ZIP_CORRUPT'
  /** A member stored with compression (method ≠ 0): its bytes are not the member's bytes. */
  | 'ZIP_COMPRESSED_MEMBER'
  /** An encrypted member. */
  | 'ZIP_ENCRYPTED_MEMBER'
  /** Two members with the same name: a member path would be ambiguous. */
  | 'ZIP_DUPLICATE_NAME'
  /** A member name that is absolute or climbs out of the archive root (`../`). */
  | 'ZIP_UNSAFE_NAME'
  /** A limit of the reader (central directory size) or of the format (offsets past 2^53). */
  | 'ZIP_TOO_LARGE'
  /** A member's bytes did not match what was planned (file changed while packing). */
  | 'ZIP_MEMBER_CHANGED'
  /** An HLS input problem: missing segment, playlist reference outside the folder, bad tag. */
  | 'HLS_INPUT'
  /** A DASH input problem: missing segment, MPD reference outside the folder, unsupported addressing. */
  | 'DASH_INPUT';

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';

  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    /** The member (or input file) concerned, when there is one. */
    readonly member: string | null = null,
  ) {
    super(message);
  }
}

export function corrupt(message: string): ArchiveError {
  return new ArchiveError('ZIP_CORRUPT', `corrupt or truncated ZIP: ${message}`);
}
