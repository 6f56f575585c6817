/**
 * S3 errors as values: one table from code to HTTP status and AWS's default message, one
 * `S3Error` class. The gateway's single `onError` turns an `S3Error` into the XML body of
 * `errorXml` (see `xml.ts`) plus `headers`; anything else becomes `InternalError`.
 *
 * Messages are AWS's own wording (from the S3 API reference "Error responses" list) so that
 * clients and humans comparing with AWS see the same text.
 */

export type S3ErrorCode =
  | 'AccessDenied'
  | 'AccessForbidden'
  | 'AuthorizationHeaderMalformed'
  | 'BadDigest'
  | 'BadRequest'
  | 'BucketAlreadyExists'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'ConditionalRequestConflict'
  | 'EntityTooLarge'
  | 'EntityTooSmall'
  | 'IncompleteBody'
  | 'IncorrectNumberOfFilesInPostRequest'
  | 'InternalError'
  | 'InvalidAccessKeyId'
  | 'InvalidArgument'
  | 'InvalidArchive'
  | 'InvalidBucketName'
  | 'InvalidDigest'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'InvalidPolicyDocument'
  | 'InvalidRange'
  | 'InvalidRequest'
  | 'InvalidTag'
  | 'KeyTooLongError'
  | 'MalformedACLError'
  | 'MalformedPOSTRequest'
  | 'MalformedPolicy'
  | 'MalformedXML'
  | 'MaxPostPreDataLengthExceededError'
  | 'MetadataTooLarge'
  | 'MethodNotAllowed'
  | 'MissingContentLength'
  | 'MissingRequestBodyError'
  | 'MissingSecurityHeader'
  | 'NoSuchBucket'
  | 'NoSuchBucketPolicy'
  | 'NoSuchCORSConfiguration'
  | 'NoSuchKey'
  | 'NoSuchTagSet'
  | 'NoSuchLifecycleConfiguration'
  | 'NoSuchUpload'
  | 'NoSuchVersion'
  | 'NotImplemented'
  | 'NotModified'
  | 'PreconditionFailed'
  | 'RequestIsNotMultiPartContent'
  | 'RequestTimeout'
  | 'RequestTimeTooSkewed'
  | 'ServerSideEncryptionConfigurationNotFoundError'
  | 'ServiceUnavailable'
  | 'SignatureDoesNotMatch'
  | 'SlowDown'
  | 'UnexpectedContent'
  | 'UnsupportedArchiveMember'
  | 'XAmzContentSHA256Mismatch';

export interface S3ErrorSpec {
  readonly status: number;
  readonly message: string;
}

export const S3_ERRORS: Readonly<Record<S3ErrorCode, S3ErrorSpec>> = Object.freeze({
  AccessDenied: { status: 403, message: 'Access Denied' },
  // A CORS preflight that no rule allows (S3 sends it with Method and ResourceType).
  AccessForbidden: { status: 403, message: 'CORSResponse: This CORS request is not allowed.' },
  AuthorizationHeaderMalformed: {
    status: 400,
    message: 'The authorization header that you provided is not valid.',
  },
  BadDigest: {
    status: 400,
    message: 'The Content-MD5 or checksum value that you specified did not match what the server received.',
  },
  // A CORS preflight without Origin or with an Access-Control-Request-Method S3 does not know.
  BadRequest: { status: 400, message: 'Insufficient information. Origin request header needed.' },
  BucketAlreadyExists: {
    status: 409,
    message:
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Select a different name and try again.',
  },
  BucketAlreadyOwnedByYou: {
    status: 409,
    message: 'The bucket that you tried to create already exists, and you own it.',
  },
  BucketNotEmpty: { status: 409, message: 'The bucket that you tried to delete is not empty.' },
  ConditionalRequestConflict: {
    status: 409,
    message: 'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.',
  },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  EntityTooSmall: {
    status: 400,
    message: 'Your proposed upload is smaller than the minimum allowed object size.',
  },
  IncompleteBody: {
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  },
  IncorrectNumberOfFilesInPostRequest: { status: 400, message: 'POST requires exactly one file upload per request.' },
  InternalError: { status: 500, message: 'An internal error occurred. Try again.' },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The AWS access key ID that you provided does not exist in our records.',
  },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidArchive: { status: 400, message: 'The object is not a ZIP archive that members can be served from.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 or checksum value that you specified is not valid.' },
  InvalidPart: {
    status: 400,
    message:
      "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified ETag might not have matched the uploaded part's ETag.",
  },
  InvalidPartOrder: {
    status: 400,
    message: 'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
  },
  InvalidPolicyDocument: {
    status: 400,
    message: 'The content of the form does not meet the conditions specified in the policy document.',
  },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidTag: { status: 400, message: 'The tag provided was not a valid tag.' },
  KeyTooLongError: { status: 400, message: 'Your key is too long.' },
  MalformedACLError: {
    status: 400,
    message: 'The XML you provided was not well-formed or did not validate against our published schema.',
  },
  MalformedPOSTRequest: { status: 400, message: 'The body of your POST request is not well-formed multipart/form-data.' },
  MalformedPolicy: { status: 400, message: 'Policies must be valid JSON and the first byte must be \'{\'' },
  MalformedXML: {
    status: 400,
    message: 'The XML that you provided was not well formed or did not validate against our published schema.',
  },
  MaxPostPreDataLengthExceededError: { status: 400, message: 'Your POST request fields preceding the upload file were too large.' },
  MetadataTooLarge: {
    status: 400,
    message: 'Your metadata headers exceed the maximum allowed metadata size.',
  },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  MissingRequestBodyError: { status: 400, message: 'Request Body is empty' },
  MissingSecurityHeader: { status: 400, message: 'Your request is missing a required header.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchTagSet: { status: 404, message: 'The TagSet does not exist' },
  NoSuchLifecycleConfiguration: { status: 404, message: 'The lifecycle configuration does not exist' },
  NoSuchUpload: {
    status: 404,
    message:
      'The specified multipart upload does not exist. The upload ID might not be valid, or the multipart upload might have been aborted or completed.',
  },
  NoSuchVersion: { status: 404, message: 'The specified version does not exist.' },
  NotImplemented: {
    status: 501,
    message: 'A header that you provided implies functionality that is not implemented.',
  },
  NotModified: { status: 304, message: 'Not Modified' },
  PreconditionFailed: {
    status: 412,
    message: 'At least one of the preconditions that you specified did not hold.',
  },
  RequestIsNotMultiPartContent: { status: 400, message: 'Bucket POST must be of the enclosure-type multipart/form-data' },
  RequestTimeout: {
    status: 400,
    message: 'Your socket connection to the server was not read from or written to within the timeout period.',
  },
  RequestTimeTooSkewed: {
    status: 403,
    message: "The difference between the request time and the server's time is too large.",
  },
  ServerSideEncryptionConfigurationNotFoundError: { status: 404, message: 'The server side encryption configuration was not found' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  UnexpectedContent: { status: 400, message: 'This request does not support content' },
  UnsupportedArchiveMember: {
    status: 400,
    message: 'The archive member is compressed or encrypted; only stored (method 0) members can be served.',
  },
  XAmzContentSHA256Mismatch: {
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
});

export interface S3ErrorOptions {
  /** Overrides the table's default message. */
  message?: string;
  /** The `<Resource>` of the error body, usually the request path (`/bucket/key`). */
  resource?: string;
  /** Extra response headers, e.g. `Content-Range: bytes *\/size` for InvalidRange. */
  headers?: Record<string, string>;
  /** Extra child elements of `<Error>` (e.g. `BucketName`, `Key`, `ArgumentName`), in order. */
  extra?: Record<string, string>;
  /** The lower-level failure, kept for logs; never sent to the client. */
  cause?: unknown;
}

/** True when `code` is one of the S3 error codes in `S3_ERRORS`. */
export function isS3ErrorCode(code: string): code is S3ErrorCode {
  return Object.hasOwn(S3_ERRORS, code);
}

export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly code: S3ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly resource: string | undefined;
  readonly extra: Record<string, string> | undefined;

  constructor(code: S3ErrorCode, options: S3ErrorOptions = {}) {
    const spec = S3_ERRORS[code];
    super(options.message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = spec.status;
    this.headers = { ...options.headers };
    this.resource = options.resource;
    this.extra = options.extra === undefined ? undefined : { ...options.extra };
  }
}

/** Narrowing helper for `catch (err)` blocks and the gateway's `onError`. */
export function isS3Error(value: unknown): value is S3Error {
  return value instanceof S3Error;
}
