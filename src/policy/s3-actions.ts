/**
 * The `s3:` actions a bucket policy may name: those of the operations shardgate has (the
 * gateway's table in gateway/access/operation-actions.ts maps each operation to one of these).
 * A policy naming any other action, or a wildcard that matches none of these, is MalformedPolicy:
 * a statement about something shardgate cannot do is refused rather than silently ignored.
 */
export const S3_ACTIONS = [
  's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts',
  's3:GetObjectAcl', 's3:PutObjectAcl',
  's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:DeleteBucket', 's3:GetBucketLocation',
  's3:GetBucketAcl', 's3:PutBucketAcl', 's3:GetBucketCORS', 's3:PutBucketCORS', 's3:GetBucketVersioning',
  's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration',
  's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicyStatus',
  's3:GetObjectTagging', 's3:PutObjectTagging', 's3:DeleteObjectTagging', 's3:GetBucketTagging', 's3:PutBucketTagging',
  's3:GetObjectAttributes', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration',
] as const;

export type S3Action = (typeof S3_ACTIONS)[number];

/**
 * Managing the policy itself: only the bucket owner may, and no statement of the policy applies
 * to them (not even a Deny), so an owner can never lock themselves out of their own bucket.
 */
export const POLICY_MANAGEMENT_ACTIONS: ReadonlySet<S3Action> = new Set([
  's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicyStatus',
]);
