import test from 'ava';
import { S3Error, S3_ERRORS, isS3Error, isS3ErrorCode, type S3ErrorCode } from './errors.ts';

/** The codes and statuses the module contract requires, straight from contracts.md. */
const REQUIRED: readonly [S3ErrorCode, number][] = [
  ['AccessDenied', 403],
  ['BadDigest', 400],
  ['BucketAlreadyExists', 409],
  ['BucketAlreadyOwnedByYou', 409],
  ['BucketNotEmpty', 409],
  ['EntityTooLarge', 400],
  ['IncompleteBody', 400],
  ['InternalError', 500],
  ['InvalidAccessKeyId', 403],
  ['InvalidArgument', 400],
  ['InvalidBucketName', 400],
  ['InvalidDigest', 400],
  ['InvalidRange', 416],
  ['InvalidRequest', 400],
  ['KeyTooLongError', 400],
  ['MalformedPolicy', 400],
  ['MalformedXML', 400],
  ['MethodNotAllowed', 405],
  ['MissingContentLength', 411],
  ['MissingSecurityHeader', 400],
  ['NoSuchBucket', 404],
  ['NoSuchBucketPolicy', 404],
  ['NoSuchKey', 404],
  ['NoSuchUpload', 404],
  ['NotImplemented', 501],
  ['PreconditionFailed', 412],
  ['RequestTimeTooSkewed', 403],
  ['RequestTimeout', 400],
  ['ServerSideEncryptionConfigurationNotFoundError', 404],
  ['ServiceUnavailable', 503],
  ['SignatureDoesNotMatch', 403],
  ['SlowDown', 503],
  ['XAmzContentSHA256Mismatch', 400],
  ['AuthorizationHeaderMalformed', 400],
  ['InvalidPart', 400],
  ['InvalidPartOrder', 400],
  ['EntityTooSmall', 400],
  ['MetadataTooLarge', 400],
  ['NotModified', 304],
  ['InvalidArchive', 400],
  ['UnsupportedArchiveMember', 400],
  ['AccessForbidden', 403],
  ['BadRequest', 400],
  ['ConditionalRequestConflict', 409],
  ['MalformedACLError', 400],
  ['MissingRequestBodyError', 400],
  ['NoSuchCORSConfiguration', 404],
  ['InvalidTag', 400],
  ['NoSuchTagSet', 404],
  ['NoSuchLifecycleConfiguration', 404],
  ['UnexpectedContent', 400],
  ['NoSuchVersion', 404],
  // POST Object (browser uploads).
  ['IncorrectNumberOfFilesInPostRequest', 400],
  ['InvalidPolicyDocument', 400],
  ['MalformedPOSTRequest', 400],
  ['MaxPostPreDataLengthExceededError', 400],
  ['RequestIsNotMultiPartContent', 400],
];

const hasStatus = test.macro({
  exec(t, code: S3ErrorCode, status: number) {
    t.is(S3_ERRORS[code].status, status);
    t.true(S3_ERRORS[code].message.length > 0);
    const error = new S3Error(code);
    t.is(error.code, code);
    t.is(error.status, status);
    t.is(error.message, S3_ERRORS[code].message);
  },
  title: (_provided, code: S3ErrorCode, status: number) => `${code} is ${status}`,
});

for (const [code, status] of REQUIRED) test(hasStatus, code, status);

test('the table holds exactly the required codes', (t) => {
  t.deepEqual(Object.keys(S3_ERRORS).sort(), REQUIRED.map(([code]) => code).sort());
});

test('the table is frozen', (t) => {
  t.true(Object.isFrozen(S3_ERRORS));
});

test('S3Error carries message, resource, headers and extra; defaults are empty', (t) => {
  const plain = new S3Error('NoSuchKey');
  t.true(plain instanceof Error);
  t.is(plain.name, 'S3Error');
  t.is(plain.message, 'The specified key does not exist.');
  t.deepEqual(plain.headers, {});
  t.is(plain.resource, undefined);
  t.is(plain.extra, undefined);

  const cause = new Error('disk on fire');
  const headers = { 'Content-Range': 'bytes */5' };
  const extra = { RangeRequested: 'bytes=5-', ActualObjectSize: '5' };
  const full = new S3Error('InvalidRange', { message: 'custom', resource: '/b/k', headers, extra, cause });
  t.is(full.message, 'custom');
  t.is(full.status, 416);
  t.is(full.resource, '/b/k');
  t.deepEqual(full.headers, headers);
  t.deepEqual(full.extra, extra);
  t.is(full.cause, cause);
  // The error keeps its own copies: a caller reusing its objects cannot change a thrown error.
  headers['Content-Range'] = 'changed';
  extra.ActualObjectSize = 'changed';
  t.is(full.headers['Content-Range'], 'bytes */5');
  t.is(full.extra?.ActualObjectSize, '5');
});

test('isS3Error and isS3ErrorCode', (t) => {
  t.true(isS3Error(new S3Error('SlowDown')));
  t.false(isS3Error(new Error('x')));
  t.false(isS3Error({ code: 'NoSuchKey', status: 404 }));
  t.true(isS3ErrorCode('NoSuchKey'));
  t.false(isS3ErrorCode('NoSuchThing'));
  t.false(isS3ErrorCode('toString'));
});
