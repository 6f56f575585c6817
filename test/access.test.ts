/**
 * Who may do what: accounts and keys made with `shardgate keys`, bucket ownership per account,
 * public-read buckets (canned ACL on CreateBucket and PutBucketAcl, GetBucketAcl) read without any
 * credentials, revoked keys, and virtual-hosted-style addressing with the SDK.
 */
import { Agent, createServer, type AgentOptions } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import {
  CreateBucketCommand, DeleteObjectCommand, GetBucketAclCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand,
  ListBucketsCommand, ListObjectsV2Command, PutBucketAclCommand, PutObjectCommand, S3Client, S3ServiceException,
  type BucketCannedACL,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { useSharedCluster } from './shared-cluster.ts';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const cluster = useSharedCluster(test);

/** A new account's key through the CLI, and an SDK client signing with it. */
async function newAccount(t: ExecutionContext, account: string): Promise<{ s3: S3Client; accessKeyId: string }> {
  const created = await cluster().runCli(['keys', 'create', '--account', account, '--json']);
  t.is(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { accessKeyId: string; secretKey: string; account: string };
  return { s3: cluster().s3({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey } }), accessKeyId: key.accessKeyId };
}

async function failure(t: ExecutionContext, promise: Promise<unknown>): Promise<[string, number | undefined]> {
  const error = await t.throwsAsync(promise);
  return [(error as S3ServiceException).name, (error as S3ServiceException).$metadata?.httpStatusCode];
}

function anonymous(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${cluster().gatewayUrl}${path}`, init);
}

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

test.serial('shardgate keys: create (new and existing account), ls, --json, --help, one-line errors', async (t) => {
  const first = await cluster().runCli(['keys', 'create', '--account', 'carol']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^account {6}carol \(new\)\naccess key {3}SG[0-9A-F]{18}\nsecret key {3}[A-Za-z0-9_-]{40}\n$/);
  const second = await cluster().runCli(['keys', 'create', '--account', 'carol', '--json']);
  const created = JSON.parse(second.stdout) as { account: string; accountCreated: boolean; accessKeyId: string };
  t.like(created, { account: 'carol', accountCreated: false });

  const listed = await cluster().runCli(['keys', 'ls']);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /^ACCESS KEY +ACCOUNT +CREATED +STATUS\n/);
  t.regex(listed.stdout, new RegExp(`^${cluster().accessKeyId} +root +\\S+ +active \\(root\\)$`, 'm'));
  t.regex(listed.stdout, new RegExp(`^${created.accessKeyId} +carol +\\S+ +active$`, 'm'));
  t.notRegex(listed.stdout, /secret/i);
  const carols = JSON.parse((await cluster().runCli(['keys', 'ls', '--account', 'carol', '--json'])).stdout) as { keys: { account: string }[] };
  t.deepEqual(carols.keys.map((key) => key.account), ['carol', 'carol']);

  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const help = await cluster().runCli(['keys', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /shardgate keys create --account NAME/);
  t.regex(help.stdout, /SHARDGATE_ADMIN_TOKEN/);
  const cases = [
    [['keys', 'create'], {}, 2, /^shardgate keys: --account NAME is required\n$/],
    [['keys', 'create', '--account', 'bad name'], {}, 1, /^shardgate keys: 400 account must be/],
    [['keys', 'ls', '--account', 'nobody'], {}, 1, /^shardgate keys: 404 no account named "nobody"\n$/],
    [['keys', 'revoke', 'SGNOSUCHKEY'], {}, 1, /^shardgate keys: 404 no access key SGNOSUCHKEY\n$/],
    [['keys', 'revoke', cluster().accessKeyId], {}, 1, /^shardgate keys: 409 the root key comes from the gateway configuration/],
    [['keys', 'ls'], { SHARDGATE_ADMIN_TOKEN: 'wrong' }, 1, /^shardgate keys: 403 wrong admin token\n$/],
    [['keys', 'ls'], { SHARDGATE_ADMIN_TOKEN: '' }, 2, /^shardgate keys: --admin-token \(or SHARDGATE_ADMIN_TOKEN\) is required\n$/],
    [['keys', 'ls'], { SHARDGATE_ENDPOINT: `http://127.0.0.1:${closedPort}` }, 1, new RegExp(`^shardgate keys: cannot reach the gateway at http://127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED\n$`)],
    [['keys', 'ls'], { SHARDGATE_ENDPOINT: 'ftp://example.com' }, 1, /^shardgate keys: --endpoint must be an http\(s\) URL/],
    [['keys', 'rotate'], {}, 2, /^shardgate keys: unknown subcommand "rotate" \(create, ls, revoke, rotate-master or rewrap-master\)\n$/],
    [['keys'], {}, 2, /^shardgate keys: say what to do: create, ls or revoke/],
  ] as const;
  // Independent processes: run them side by side.
  const results = await Promise.all(cases.map(([args, env]) => cluster().runCli([...args], env)));
  for (const [index, [args, , code, message]] of cases.entries()) {
    const result = results[index]!;
    t.is(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message, args.join(' '));
    t.is(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  }
});

test.serial('buckets belong to their account: another account\'s keys get AccessDenied', async (t) => {
  const root = cluster().s3();
  const { s3: other } = await newAccount(t, 'dave');
  await root.send(new CreateBucketCommand({ Bucket: 'roots-bucket' }));
  await root.send(new PutObjectCommand({ Bucket: 'roots-bucket', Key: 'secret.txt', Body: 'secret' }));
  await other.send(new CreateBucketCommand({ Bucket: 'daves-bucket' }));

  t.deepEqual((await other.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name), ['daves-bucket']);
  t.false(((await root.send(new ListBucketsCommand({}))).Buckets ?? []).some((bucket) => bucket.Name === 'daves-bucket'));
  t.deepEqual(await failure(t, other.send(new GetObjectCommand({ Bucket: 'roots-bucket', Key: 'secret.txt' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new PutObjectCommand({ Bucket: 'roots-bucket', Key: 'x', Body: 'x' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new DeleteObjectCommand({ Bucket: 'roots-bucket', Key: 'secret.txt' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new ListObjectsV2Command({ Bucket: 'roots-bucket' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new GetBucketAclCommand({ Bucket: 'roots-bucket' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new CreateBucketCommand({ Bucket: 'roots-bucket' }))), ['BucketAlreadyExists', 409]);
  t.deepEqual(await failure(t, root.send(new GetObjectCommand({ Bucket: 'daves-bucket', Key: 'x' }))), ['AccessDenied', 403]);
  t.is(await (await root.send(new GetObjectCommand({ Bucket: 'roots-bucket', Key: 'secret.txt' }))).Body!.transformToString(), 'secret');
});

test.serial('a public-read bucket: anyone reads and lists without credentials; nobody else writes', async (t) => {
  const root = cluster().s3();
  const { s3: other } = await newAccount(t, 'erin');
  await root.send(new CreateBucketCommand({ Bucket: 'public-videos', ACL: 'public-read' }));
  await root.send(new PutObjectCommand({ Bucket: 'public-videos', Key: 'hls/seg 1.ts', Body: 'segment one bytes', ContentType: 'video/mp2t' }));

  const get = await anonymous('/public-videos/hls/seg%201.ts');
  t.is(get.status, 200);
  t.is(get.headers.get('content-type'), 'video/mp2t');
  t.is(await get.text(), 'segment one bytes');
  const ranged = await anonymous('/public-videos/hls/seg%201.ts', { headers: { range: 'bytes=8-10' } });
  t.is(ranged.status, 206);
  t.is(await ranged.text(), 'one');
  const head = await anonymous('/public-videos/hls/seg%201.ts', { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), '17');
  const list = await anonymous('/public-videos?list-type=2&prefix=hls/');
  t.is(list.status, 200);
  t.regex(await list.text(), /<Key>hls\/seg 1\.ts<\/Key>/);
  t.is((await anonymous('/public-videos', { method: 'HEAD' })).status, 200);
  const missing = await anonymous('/public-videos/nope');
  t.is(missing.status, 404, 'who may list the bucket learns that a key is missing');
  t.is(codeOf(await missing.text()), 'NoSuchKey');
  t.is(await (await other.send(new GetObjectCommand({ Bucket: 'public-videos', Key: 'hls/seg 1.ts' }))).Body!.transformToString(), 'segment one bytes');

  for (const [method, path, body] of [
    ['PUT', '/public-videos/hls/seg%201.ts', 'overwritten'], ['PUT', '/public-videos/new', 'new'], ['DELETE', '/public-videos/hls/seg%201.ts', undefined],
    ['GET', '/public-videos?acl', undefined], ['PUT', '/public-videos?acl', undefined], ['GET', '/public-videos?location', undefined],
    ['DELETE', '/public-videos', undefined], ['GET', '/', undefined], ['PUT', '/anonymous-bucket', undefined],
  ] as const) {
    const response = await anonymous(path, { method, body, headers: method === 'PUT' && path.endsWith('acl') ? { 'x-amz-acl': 'private' } : {} });
    t.is(response.status, 403, `${method} ${path}`);
    t.is(codeOf(await response.text()), 'AccessDenied', `${method} ${path}`);
  }
  t.deepEqual(await failure(t, other.send(new PutObjectCommand({ Bucket: 'public-videos', Key: 'new', Body: 'x' }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, other.send(new DeleteObjectCommand({ Bucket: 'public-videos', Key: 'hls/seg 1.ts' }))), ['AccessDenied', 403]);
  const listed = await root.send(new ListObjectsV2Command({ Bucket: 'public-videos' }));
  t.deepEqual(listed.Contents?.map((object) => object.Key), ['hls/seg 1.ts'], 'no write went through');
  t.is(await (await root.send(new GetObjectCommand({ Bucket: 'public-videos', Key: 'hls/seg 1.ts' }))).Body!.transformToString(), 'segment one bytes');

  const privateGet = await anonymous('/roots-bucket/secret.txt');
  t.is(privateGet.status, 403);
  t.is(codeOf(await privateGet.text()), 'AccessDenied');
  const noBucket = await anonymous('/no-such-bucket/k', { method: 'PUT', body: 'x' });
  t.is(noBucket.status, 404);
  t.is(codeOf(await noBucket.text()), 'NoSuchBucket');
});

test.serial('GetBucketAcl and PutBucketAcl: canned header or a policy body, S3\'s errors', async (t) => {
  const root = cluster().s3();
  await root.send(new CreateBucketCommand({ Bucket: 'acl-bucket' }));
  await root.send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'k', Body: 'v' }));
  const grantsOf = async () => (await root.send(new GetBucketAclCommand({ Bucket: 'acl-bucket' }))).Grants?.map((grant) =>
    `${grant.Grantee?.Type} ${grant.Grantee?.ID ?? grant.Grantee?.URI} ${grant.Permission}`);
  const acl = await root.send(new GetBucketAclCommand({ Bucket: 'acl-bucket' }));
  const ownerId = acl.Owner!.ID!;
  t.is(acl.Owner?.DisplayName, 'root');
  t.deepEqual(await grantsOf(), [`CanonicalUser ${ownerId} FULL_CONTROL`]);
  t.is((await anonymous('/acl-bucket/k')).status, 403);

  await root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', ACL: 'public-read' }));
  t.deepEqual(await grantsOf(), [`CanonicalUser ${ownerId} FULL_CONTROL`, `Group ${ALL_USERS} READ`]);
  t.is((await anonymous('/acl-bucket/k')).status, 200);
  await root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', ACL: 'private' }));
  t.is((await anonymous('/acl-bucket/k')).status, 403, 'private again');

  const owner = { ID: ownerId };
  const fullControl = { Grantee: { Type: 'CanonicalUser' as const, ID: ownerId }, Permission: 'FULL_CONTROL' as const };
  const publicRead = { Grantee: { Type: 'Group' as const, URI: ALL_USERS }, Permission: 'READ' as const };
  await root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', AccessControlPolicy: { Owner: owner, Grants: [fullControl, publicRead] } }));
  t.is((await anonymous('/acl-bucket/k')).status, 200, 'a policy body equal to public-read');
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({
    Bucket: 'acl-bucket', AccessControlPolicy: { Owner: owner, Grants: [fullControl, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'WRITE' }] },
  }))), ['NotImplemented', 501]);
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({
    Bucket: 'acl-bucket', AccessControlPolicy: { Owner: { ID: 'someone-else' }, Grants: [fullControl] },
  }))), ['AccessDenied', 403]);
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({
    Bucket: 'acl-bucket', ACL: 'private', AccessControlPolicy: { Owner: owner, Grants: [fullControl] },
  }))), ['UnexpectedContent', 400]);
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket' }))), ['MissingSecurityHeader', 400]);
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', ACL: 'public-read-write' }))), ['NotImplemented', 501]);
  t.deepEqual(await failure(t, root.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', ACL: 'bogus' as BucketCannedACL }))), ['InvalidArgument', 400]);
  t.deepEqual(await failure(t, root.send(new CreateBucketCommand({ Bucket: 'rw-bucket', ACL: 'public-read-write' }))), ['NotImplemented', 501]);
  t.is((await anonymous('/acl-bucket/k')).status, 200, 'the refused requests changed nothing');
  t.deepEqual(await failure(t, root.send(new HeadObjectCommand({ Bucket: 'rw-bucket', Key: 'k' }))), ['NotFound', 404]);
});

test.serial('a revoked key: InvalidAccessKeyId from then on, header-signed and presigned alike', async (t) => {
  const { s3, accessKeyId } = await newAccount(t, 'frank');
  await s3.send(new CreateBucketCommand({ Bucket: 'franks' }));
  const revoked = await cluster().runCli(['keys', 'revoke', accessKeyId]);
  t.is(revoked.code, 0, revoked.stderr);
  t.is(revoked.stdout, `revoked ${accessKeyId} (account frank)\n`);
  t.deepEqual(await failure(t, s3.send(new ListBucketsCommand({}))), ['InvalidAccessKeyId', 403]);
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: 'franks', Key: 'k', Body: 'v' }))), ['InvalidAccessKeyId', 403]);
  const presigned = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'franks', Key: 'k' }), { expiresIn: 600 }));
  t.is(presigned.status, 403);
  t.is(codeOf(await presigned.text()), 'InvalidAccessKeyId');
  const again = await cluster().runCli(['keys', 'revoke', accessKeyId]);
  t.is(again.code, 1);
  t.regex(again.stderr, new RegExp(`^shardgate keys: 409 access key ${accessKeyId} was revoked at `));
  const listed = JSON.parse((await cluster().runCli(['keys', 'ls', '--account', 'frank', '--json'])).stdout) as { keys: { revokedAt: string | null }[] };
  t.truthy(listed.keys[0]!.revokedAt);
});

test.serial('virtual-hosted-style addressing with the SDK (bucket.localhost), next to path-style', async (t) => {
  const port = new URL(cluster().gatewayUrl).port;
  // `<bucket>.localhost` need not resolve on this machine: connect to 127.0.0.1 whatever the name.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  const httpAgent = new Agent({ lookup } as AgentOptions);
  t.teardown(() => httpAgent.destroy());
  const virtual = cluster().s3({ endpoint: `http://localhost:${port}`, forcePathStyle: false, requestHandler: { httpAgent } });
  await virtual.send(new CreateBucketCommand({ Bucket: 'virtual-bucket' }));
  await virtual.send(new PutObjectCommand({ Bucket: 'virtual-bucket', Key: 'a/b c.txt', Body: 'hosted' }));
  t.is(await (await virtual.send(new GetObjectCommand({ Bucket: 'virtual-bucket', Key: 'a/b c.txt' }))).Body!.transformToString(), 'hosted');
  t.deepEqual((await virtual.send(new ListObjectsV2Command({ Bucket: 'virtual-bucket' }))).Contents?.map((object) => object.Key), ['a/b c.txt']);
  t.is((await virtual.send(new GetBucketVersioningCommand({ Bucket: 'virtual-bucket' }))).Status, undefined, 'never versioned');
  const pathStyle = cluster().s3();
  t.is(await (await pathStyle.send(new GetObjectCommand({ Bucket: 'virtual-bucket', Key: 'a/b c.txt' }))).Body!.transformToString(), 'hosted');
});
