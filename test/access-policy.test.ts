/**
 * Object ACLs and bucket policies against one small live cluster: canned object ACLs on PutObject,
 * CopyObject, multipart and PutObjectAcl read anonymously (or not), GetObjectAcl's grant form;
 * bucket policies giving anonymous reads on a prefix, an explicit Deny beating a public-read
 * bucket and the owner, another account allowed by its ARN, aws:SourceIp, MalformedPolicy and
 * NoSuchBucketPolicy; boto3's put/get policy round trip.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketPolicyCommand,
  DeleteObjectsCommand, GetBucketPolicyCommand, GetBucketPolicyStatusCommand, GetObjectAclCommand, ListObjectsV2Command,
  PutBucketAclCommand, PutBucketPolicyCommand, PutObjectAclCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getObjectBytes, s3ErrorOf, seededBytes } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const BOTO3_SCRIPT = fileURLToPath(new URL('./clients/boto3_policy.py', import.meta.url));
const cluster = useSharedCluster(test, { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 4096 });
const BODY = seededBytes(10_000, 13);

const anonymous = (path: string, init: RequestInit = {}) => fetch(`${cluster().gatewayUrl}${path}`, init);
const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

/** Status and S3 error code (or 'ok') of an anonymous GET; the body must be BODY when it succeeds. */
async function anonymousGet(t: ExecutionContext, path: string): Promise<string> {
  const response = await anonymous(path);
  const body = Buffer.from(await response.arrayBuffer());
  if (response.ok) {
    t.true(body.equals(BODY), `${path}: the bytes`);
    return `${response.status} ok`;
  }
  return `${response.status} ${codeOf(body.toString())}`;
}

async function newAccount(t: ExecutionContext, name: string): Promise<{ s3: S3Client; accountId: string }> {
  const created = await cluster().runCli(['keys', 'create', '--account', name, '--json']);
  t.is(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { accessKeyId: string; secretKey: string; accountId: string };
  return { s3: cluster().s3({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey } }), accountId: key.accountId };
}

const policyOf = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

test.serial('object ACLs: public-read objects read anonymously, private ones not; GetObjectAcl grants; other ACLs NotImplemented', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'acl-objects' }));
  await s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'open', Body: BODY, ACL: 'public-read' }));
  await s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'closed', Body: BODY }));
  t.is(await anonymousGet(t, '/acl-objects/open'), '200 ok');
  t.is((await anonymous('/acl-objects/open', { method: 'HEAD' })).status, 200);
  t.is(await anonymousGet(t, '/acl-objects/closed'), '403 AccessDenied');
  t.is(await anonymousGet(t, '/acl-objects/missing'), '403 AccessDenied', 'a missing key looks like a private one');
  t.is(await anonymousGet(t, '/acl-objects'), '403 AccessDenied', 'a public object does not open the listing');

  const grants = await s3.send(new GetObjectAclCommand({ Bucket: 'acl-objects', Key: 'open' }));
  t.truthy(grants.Owner?.ID);
  t.deepEqual(grants.Grants?.map((grant) => [grant.Grantee?.Type, grant.Grantee?.ID ?? grant.Grantee?.URI, grant.Permission]), [
    ['CanonicalUser', grants.Owner!.ID, 'FULL_CONTROL'], ['Group', ALL_USERS, 'READ'],
  ]);
  const closedGrants = await s3.send(new GetObjectAclCommand({ Bucket: 'acl-objects', Key: 'closed' }));
  t.deepEqual(closedGrants.Grants?.map((grant) => grant.Permission), ['FULL_CONTROL']);

  await s3.send(new PutObjectAclCommand({ Bucket: 'acl-objects', Key: 'open', ACL: 'private' }));
  t.is(await anonymousGet(t, '/acl-objects/open'), '403 AccessDenied');
  await s3.send(new PutObjectAclCommand({ Bucket: 'acl-objects', Key: 'closed', AccessControlPolicy: {
    Owner: grants.Owner,
    Grants: [{ Grantee: { Type: 'CanonicalUser', ID: grants.Owner!.ID }, Permission: 'FULL_CONTROL' }, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }],
  } }));
  t.is(await anonymousGet(t, '/acl-objects/closed'), '200 ok', 'an AccessControlPolicy body equal to public-read');
  t.deepEqual(await s3ErrorOf(t, s3.send(new PutObjectAclCommand({ Bucket: 'acl-objects', Key: 'closed', AccessControlPolicy: {
    Owner: grants.Owner, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'WRITE' }],
  } }))), { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new PutObjectAclCommand({ Bucket: 'acl-objects', Key: 'missing', ACL: 'public-read' }))), { name: 'NoSuchKey', status: 404 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetObjectAclCommand({ Bucket: 'acl-objects', Key: 'missing' }))), { name: 'NoSuchKey', status: 404 });
  for (const ACL of ['authenticated-read', 'public-read-write', 'bucket-owner-full-control'] as const) {
    t.deepEqual(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'x', Body: 'x', ACL }))), { name: 'NotImplemented', status: 501 }, ACL);
  }
  t.deepEqual(await s3ErrorOf(t, s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'x', Body: 'x', GrantRead: `uri="${ALL_USERS}"` }))), { name: 'NotImplemented', status: 501 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetObjectAclCommand({ Bucket: 'acl-objects', Key: 'x' }))), { name: 'NoSuchKey', status: 404 }, 'nothing was stored');

  // CopyObject takes the request's ACL, never the source's; multipart applies Create's at Complete.
  await s3.send(new CopyObjectCommand({ Bucket: 'acl-objects', Key: 'copy-open', CopySource: 'acl-objects/closed', ACL: 'public-read' }));
  await s3.send(new CopyObjectCommand({ Bucket: 'acl-objects', Key: 'copy-plain', CopySource: 'acl-objects/closed' }));
  t.is(await anonymousGet(t, '/acl-objects/copy-open'), '200 ok');
  t.is(await anonymousGet(t, '/acl-objects/copy-plain'), '403 AccessDenied');
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'acl-objects', Key: 'multi', ACL: 'public-read' }));
  t.is(await anonymousGet(t, '/acl-objects/multi'), '403 AccessDenied', 'nothing before Complete');
  const part = await s3.send(new UploadPartCommand({ Bucket: 'acl-objects', Key: 'multi', UploadId, PartNumber: 1, Body: BODY }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'acl-objects', Key: 'multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] } }));
  t.is(await anonymousGet(t, '/acl-objects/multi'), '200 ok');
  t.deepEqual(await s3ErrorOf(t, s3.send(new CreateMultipartUploadCommand({ Bucket: 'acl-objects', Key: 'multi', ACL: 'authenticated-read' }))), { name: 'NotImplemented', status: 501 });

  // An archive's members by path: a public-read archive in a private bucket opens them to anyone.
  const archive = readFileSync(fileURLToPath(new URL('../fixtures/hls/packed.zip', import.meta.url)));
  await s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'media/movie.zip', Body: archive, ACL: 'public-read' }));
  await s3.send(new PutObjectCommand({ Bucket: 'acl-objects', Key: 'media/closed.zip', Body: archive }));
  const member = await anonymous('/acl-objects/media/movie.zip/audio/init_2.mp4');
  t.is(member.status, 200);
  t.is((await member.arrayBuffer()).byteLength, 777);
  t.is((await anonymous('/acl-objects/media/closed.zip/audio/init_2.mp4')).status, 403);
  const nested = await anonymous('/acl-objects/media/movie.zip/no.zip/member');
  t.is(`${nested.status} ${codeOf(await nested.text())}`, '404 NoSuchKey', 'a missing candidate archive (media/movie.zip/no.zip) is skipped, the readable one answers');
});

test.serial('bucket policy: anonymous GetObject on a prefix; outside it, listing and writes stay closed', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'policy-prefix' }));
  for (const Key of ['public/a.ts', 'public/sub/b.ts', 'private/c.ts', 'publicity']) await s3.send(new PutObjectCommand({ Bucket: 'policy-prefix', Key, Body: BODY }));
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-prefix' }))), { name: 'NoSuchBucketPolicy', status: 404 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'policy-prefix' }))), { name: 'NoSuchBucketPolicy', status: 404 });
  const Policy = policyOf({ Sid: 'PublicPrefix', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policy-prefix/public/*' });
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-prefix', Policy }));
  t.is((await s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-prefix' }))).Policy, Policy);
  t.is((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'policy-prefix' }))).PolicyStatus?.IsPublic, true);

  t.is(await anonymousGet(t, '/policy-prefix/public/a.ts'), '200 ok');
  t.is(await anonymousGet(t, '/policy-prefix/public/sub/b.ts'), '200 ok');
  t.is(await anonymousGet(t, '/policy-prefix/private/c.ts'), '403 AccessDenied');
  t.is(await anonymousGet(t, '/policy-prefix/publicity'), '403 AccessDenied');
  t.is(await anonymousGet(t, '/policy-prefix/public/missing'), '403 AccessDenied', 'no s3:ListBucket: a missing key is AccessDenied');
  t.is(await anonymousGet(t, '/policy-prefix?list-type=2'), '403 AccessDenied');
  t.is((await anonymous('/policy-prefix/public/new', { method: 'PUT', body: 'x' })).status, 403);
  t.is((await anonymous('/policy-prefix?policy')).status, 403, 'nobody but the owner reads the policy');

  await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'policy-prefix' }));
  t.is(await anonymousGet(t, '/policy-prefix/public/a.ts'), '403 AccessDenied');
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-prefix' }))), { name: 'NoSuchBucketPolicy', status: 404 });
});

test.serial('an explicit Deny beats a public-read bucket and the owner, but never the owner\'s policy management', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'policy-deny', ACL: 'public-read' }));
  for (const Key of ['open/a', 'secret/b']) await s3.send(new PutObjectCommand({ Bucket: 'policy-deny', Key, Body: BODY }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-deny', Policy: policyOf(
    { Sid: 'NoSecrets', Effect: 'Deny', Principal: '*', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::policy-deny/secret/*' },
    { Sid: 'NoPolicyLockout', Effect: 'Deny', Principal: '*', Action: 's3:*Policy', Resource: 'arn:aws:s3:::policy-deny' },
  ) }));
  t.is(await anonymousGet(t, '/policy-deny/open/a'), '200 ok', 'the public-read bucket keeps its meaning');
  t.is(await anonymousGet(t, '/policy-deny/secret/b'), '403 AccessDenied');
  t.deepEqual(await s3ErrorOf(t, getObjectBytes(s3, { Bucket: 'policy-deny', Key: 'secret/b' })), { name: 'AccessDenied', status: 403 }, 'the owner too');
  t.true((await getObjectBytes(s3, { Bucket: 'policy-deny', Key: 'open/a' })).equals(BODY));
  const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'policy-deny', Delete: { Objects: [{ Key: 'secret/b' }, { Key: 'open/a' }] } }));
  t.deepEqual(deleted.Errors?.map((error) => [error.Key, error.Code]), [['secret/b', 'AccessDenied']]);
  t.deepEqual(deleted.Deleted?.map((entry) => entry.Key), ['open/a']);
  t.is(typeof (await s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-deny' }))).Policy, 'string', 'the owner still reads the policy');
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'policy-deny' }));
  t.true((await getObjectBytes(s3, { Bucket: 'policy-deny', Key: 'secret/b' })).equals(BODY));
});

test.serial('another account allowed by its ARN; aws:SourceIp; MalformedPolicy', async (t) => {
  const s3 = cluster().s3();
  const bob = await newAccount(t, 'policy-bob');
  await s3.send(new CreateBucketCommand({ Bucket: 'policy-shared' }));
  await s3.send(new PutObjectCommand({ Bucket: 'policy-shared', Key: 'mine', Body: BODY }));
  t.deepEqual(await s3ErrorOf(t, bob.s3.send(new PutObjectCommand({ Bucket: 'policy-shared', Key: 'shared/x', Body: BODY }))), { name: 'AccessDenied', status: 403 });
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-shared', Policy: policyOf(
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${bob.accountId}:root` }, Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::policy-shared/shared/*' },
    { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${bob.accountId}:root`] }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::policy-shared', Condition: { StringLike: { 's3:prefix': 'shared/*' } } },
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policy-shared/local/*', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.1/32', '::1/128'] } } },
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policy-shared/far/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
  ) }));
  t.is((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'policy-shared' }))).PolicyStatus?.IsPublic, false, 'only IP-restricted statements for everyone');

  await bob.s3.send(new PutObjectCommand({ Bucket: 'policy-shared', Key: 'shared/x', Body: BODY }));
  t.true((await getObjectBytes(bob.s3, { Bucket: 'policy-shared', Key: 'shared/x' })).equals(BODY));
  t.true((await getObjectBytes(s3, { Bucket: 'policy-shared', Key: 'shared/x' })).equals(BODY), 'the owner reads what bob wrote');
  t.deepEqual(await s3ErrorOf(t, getObjectBytes(bob.s3, { Bucket: 'policy-shared', Key: 'mine' })), { name: 'AccessDenied', status: 403 });
  t.deepEqual(await s3ErrorOf(t, bob.s3.send(new PutObjectCommand({ Bucket: 'policy-shared', Key: 'elsewhere', Body: 'x' }))), { name: 'AccessDenied', status: 403 });
  t.deepEqual((await bob.s3.send(new ListObjectsV2Command({ Bucket: 'policy-shared', Prefix: 'shared/' }))).Contents?.map((entry) => entry.Key), ['shared/x']);
  t.deepEqual(await s3ErrorOf(t, bob.s3.send(new ListObjectsV2Command({ Bucket: 'policy-shared' }))), { name: 'AccessDenied', status: 403 }, 's3:prefix');
  t.deepEqual(await s3ErrorOf(t, bob.s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-shared' }))), { name: 'AccessDenied', status: 403 });
  t.deepEqual(await s3ErrorOf(t, bob.s3.send(new PutBucketAclCommand({ Bucket: 'policy-shared', ACL: 'public-read' }))), { name: 'AccessDenied', status: 403 });

  for (const Key of ['local/a', 'far/a']) await s3.send(new PutObjectCommand({ Bucket: 'policy-shared', Key, Body: BODY }));
  t.is(await anonymousGet(t, '/policy-shared/local/a'), '200 ok', 'aws:SourceIp 127.0.0.1/32');
  t.is(await anonymousGet(t, '/policy-shared/far/a'), '403 AccessDenied', 'aws:SourceIp 10.0.0.0/8');

  const malformed = async (Policy: string, message: RegExp) => {
    const response = await s3ErrorOf(t, s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-shared', Policy })));
    t.deepEqual(response, { name: 'MalformedPolicy', status: 400 }, Policy.slice(0, 80));
    const error = await t.throwsAsync(s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-shared', Policy })));
    t.regex(error!.message, message);
  };
  const statement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policy-shared/*' };
  await malformed('{"Version": "2012-10-17", "Statement": [', /valid JSON/);
  await malformed(policyOf({ ...statement, Action: 's3:GetObjectTorrent' }), /invalid action/);
  await malformed(policyOf({ ...statement, Resource: 'arn:aws:s3:::acl-objects/*' }), /invalid resource/);
  await malformed(policyOf({ ...statement, Principal: { AWS: 'arn:aws:iam::0000000000000000000000000000dead:root' } }), /Invalid principal/);
  await malformed(policyOf({ ...statement, Sid: 'x'.repeat(21 * 1024) }), /maximum allowed document size/);
  await malformed(policyOf({ ...statement, Condition: { StringEquals: { 'aws:Referer': 'https://example.com' } } }), /condition key/);
  t.regex((await s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-shared' }))).Policy ?? '', /far\/\*/, 'a malformed policy changed nothing');
});

test.serial('boto3: put/get/delete a policy, its status, MalformedPolicy, object ACLs', async (t) => {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('python3', [BOTO3_SCRIPT], {
      timeout: 120_000,
      env: {
        ...process.env, AWS_ACCESS_KEY_ID: cluster().accessKeyId, AWS_SECRET_ACCESS_KEY: cluster().secretKey, AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true',
        SHARDGATE_ENDPOINT: cluster().gatewayUrl, BUCKET: 'boto3-policy',
      },
    }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? -1) : 0, stdout, stderr }));
  });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), {
    get_none: ['NoSuchBucketPolicy', 404],
    get_equal: true,
    is_public: true,
    malformed: ['MalformedPolicy', 400],
    still_equal: true,
    get_deleted: ['NoSuchBucketPolicy', 404],
    grants: ['CanonicalUser:FULL_CONTROL', 'Group:READ'],
    grants_after: ['FULL_CONTROL'],
    authenticated_read: ['NotImplemented', 501],
  });
});
