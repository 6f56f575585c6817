/** Failures of the MetaStore's multipart and copy methods, each with a stable `code`. */

/** The upload does not exist: never started, completed, or aborted. Nothing changed. */
export class NoSuchUploadError extends Error {
  readonly code = 'NO_SUCH_UPLOAD';
  override name = 'NoSuchUploadError';
  constructor(readonly uploadId: string) {
    super(`multipart upload ${uploadId} does not exist`);
  }
}

/**
 * Complete named a part that is not (or no longer) uploaded with the ETag the caller validated:
 * it was never uploaded, or it was uploaded again since. Nothing changed.
 */
export class PartMismatchError extends Error {
  readonly code = 'PART_MISMATCH';
  override name = 'PartMismatchError';
  constructor(readonly uploadId: string, readonly partNumber: number) {
    super(`part ${partNumber} of upload ${uploadId} is missing or changed`);
  }
}

/** A copy's source version is no longer its key's current version (replaced or deleted). Nothing changed. */
export class SourceVersionGoneError extends Error {
  readonly code = 'SOURCE_VERSION_GONE';
  override name = 'SourceVersionGoneError';
  constructor(readonly versionId: string) {
    super(`version ${versionId} is no longer current`);
  }
}

/**
 * A shared part named a segment the store no longer holds (its last reference went after the
 * caller read it), or one whose length differs. Nothing changed; the caller may copy the bytes.
 */
export class SegmentGoneError extends Error {
  readonly code = 'SEGMENT_GONE';
  override name = 'SegmentGoneError';
  constructor(readonly segmentId: string) {
    super(`segment ${segmentId} is no longer stored`);
  }
}
