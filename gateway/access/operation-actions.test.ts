import test from 'ava';
import { S3_ACTIONS } from '../../src/policy/s3-actions.ts';
import { ROUTES } from '../router.ts';
import { OPERATION_ACTIONS } from './operation-actions.ts';

test('every routed operation has its row, and only ListBuckets and CreateBucket are outside bucket policies', (t) => {
  const routed = new Set(ROUTES.map((rule) => rule.operation));
  t.deepEqual([...routed].sort(), Object.keys(OPERATION_ACTIONS).sort());
  t.deepEqual(Object.entries(OPERATION_ACTIONS).filter(([, action]) => action === null).map(([operation]) => operation).sort(), ['CreateBucket', 'ListBuckets']);
});

test('the actions a policy may name are exactly those the operations are authorized as', (t) => {
  const mapped = new Set(Object.values(OPERATION_ACTIONS).filter((action) => action !== null));
  t.deepEqual([...mapped].sort(), [...S3_ACTIONS].sort());
});

test('AWS\'s mapping for the operations clients use most', (t) => {
  t.like(OPERATION_ACTIONS, {
    GetObject: 's3:GetObject', HeadObject: 's3:GetObject', PutObject: 's3:PutObject', CopyObject: 's3:PutObject',
    CreateMultipartUpload: 's3:PutObject', UploadPart: 's3:PutObject', CompleteMultipartUpload: 's3:PutObject',
    AbortMultipartUpload: 's3:AbortMultipartUpload', ListParts: 's3:ListMultipartUploadParts',
    ListObjects: 's3:ListBucket', ListObjectsV2: 's3:ListBucket', HeadBucket: 's3:ListBucket',
    ListMultipartUploads: 's3:ListBucketMultipartUploads', DeleteObject: 's3:DeleteObject', DeleteObjects: 's3:DeleteObject',
    GetBucketCors: 's3:GetBucketCORS', DeleteBucketCors: 's3:PutBucketCORS', DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
    GetObjectAcl: 's3:GetObjectAcl', PutObjectAcl: 's3:PutObjectAcl',
    PutBucketPolicy: 's3:PutBucketPolicy', GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  });
});
