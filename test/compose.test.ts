/**
 * docker-compose.yml is not dead text: every service is started as a local process with its
 * `command` (after the Dockerfile's ENTRYPOINT) and its `environment`, rewriting only what must
 * differ on one host — service host names → 127.0.0.1, container ports → free ports, volumes →
 * temp dirs — in `depends_on` order, each waited for with its own healthcheck command. Then the
 * cluster is used with the AWS SDK. If the file, the Dockerfile and the CLI drift apart, this fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { seededBytes, sleep } from './cluster.ts';
import { rotateMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { freePort } from '../src/testing/free-port.ts';
import { parseMetaUrl } from '../gateway/config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  secrets?: string[];
  profiles?: string[];
}

/** `${NAME}`, `${NAME:-default}` and `${NAME:?error}` as Compose interpolates them. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (kind === '?') throw new Error(`${name} is required: ${rest}`);
    return kind === '-' ? rest ?? '' : '';
  });
}


/** The Dockerfile's ENTRYPOINT with the init process left out and `node` as this Node. */
function entrypoint(): string[] {
  const line = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split('\n').find((text) => text.startsWith('ENTRYPOINT '));
  const words = JSON.parse(line!.slice('ENTRYPOINT '.length)) as string[];
  const start = words.indexOf('node');
  return [process.execPath, ...words.slice(start + 1)];
}

test('every service of docker-compose.yml runs as a local process, and the cluster serves S3', async (t) => {
  const secrets: Record<string, string> = {
    SHARDGATE_ACCESS_KEY: `SG${randomBytes(8).toString('hex').toUpperCase()}`,
    SHARDGATE_SECRET_KEY: randomBytes(24).toString('base64url'),
    SHARDGATE_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    SHARDGATE_JOIN_TOKEN: randomBytes(16).toString('hex'),
  };
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    secrets?: Record<string, { file: string }>;
  };
  // What `docker compose up` starts: the services of no profile (the postgres profile is tested by `config` below).
  const names = Object.keys(compose.services).filter((name) => compose.services[name]!.profiles === undefined);
  const root = mkdtempSync(path.join(tmpdir(), 'shardgate-compose-'));
  const children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const child of children) child.kill('SIGTERM');
    await sleep(300);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  // One free port per (service, container port); the published gateway port maps to the same one.
  const ports = new Map<string, number>();
  for (const name of names) {
    const service = compose.services[name]!;
    const containerPorts = new Set<string>();
    for (const value of Object.values(service.environment ?? {})) {
      for (const match of String(value).matchAll(/^(\d{2,5})$/g)) containerPorts.add(match[1]!);
    }
    for (const port of containerPorts) ports.set(`${name}:${port}`, await freePort());
  }
  // Secrets are mounted at /run/secrets/<name>; the one the file knows is the master key, made as
  // the comment in docker-compose.yml says.
  const secretFiles = new Map<string, string>();
  for (const name of Object.keys(compose.secrets ?? {})) {
    t.is(name, 'master_key', `a secret this test does not know how to make: ${name}`);
    const file = path.join(root, 'master.key');
    rotateMasterKeyFile(file);
    secretFiles.set(`/run/secrets/${name}`, file);
  }
  const publish = ports.get('gateway:9000')!;
  const env = { ...secrets, SHARDGATE_PUBLISH: `127.0.0.1:${publish}` };
  const rewrite = (name: string, value: string): string => {
    let text = interpolate(value, env);
    for (const other of names) {
      text = text.replace(new RegExp(`://${other}:(\\d+)`, 'g'), (_, port: string) => `://127.0.0.1:${ports.get(`${other}:${port}`) ?? port}`);
    }
    if (text === '0.0.0.0') return '127.0.0.1';
    if (/^\d{2,5}$/.test(text) && ports.has(`${name}:${text}`)) return String(ports.get(`${name}:${text}`));
    return text;
  };
  const serviceEnv = (name: string): Record<string, string> => {
    const service = compose.services[name]!;
    const dataDirs = new Map((service.volumes ?? []).map((volume) => {
      const [, target] = volume.split(':');
      return [target!, path.join(root, volume.split(':')[0]!)] as const;
    }));
    const result: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root };
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      const text = rewrite(name, String(value));
      result[key] = dataDirs.get(text) ?? secretFiles.get(text) ?? text;
    }
    return result;
  };
  const healthy = async (name: string): Promise<void> => {
    const check = compose.services[name]!.healthcheck!.test.slice(1); // ["CMD", "node", …]
    const command = check[0] === 'node' ? [process.execPath, ...check.slice(1)] : check;
    for (let attempt = 0; attempt < 600; attempt++) {
      const result = spawnSync(command[0]!, command.slice(1), { cwd: ROOT, env: serviceEnv(name), encoding: 'utf8' });
      if (result.status === 0) return;
      await sleep(100);
    }
    throw new Error(`${name} never became healthy`);
  };

  const started = new Set<string>();
  const start = async (name: string): Promise<void> => {
    if (started.has(name)) return;
    started.add(name);
    const service = compose.services[name]!;
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      await start(dependency);
      t.is(condition, 'service_healthy');
      await healthy(dependency);
    }
    const [file, ...args] = [...entrypoint(), ...(service.command ?? [])];
    const child = spawn(file!, args, { cwd: ROOT, env: serviceEnv(name), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.resume();
    child.stderr!.resume();
    children.push(child);
  };
  for (const name of names) await start(name);
  for (const name of names) await healthy(name);

  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${publish}`, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: secrets.SHARDGATE_ACCESS_KEY!, secretAccessKey: secrets.SHARDGATE_SECRET_KEY! },
  });
  t.teardown(() => s3.destroy());
  const expectedNodes = names.filter((name) => compose.services[name]!.command?.[0] === 'node').length;
  t.is(expectedNodes, 6);
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`http://127.0.0.1:${publish}/_/admin/nodes`, { headers: { authorization: `Bearer ${secrets.SHARDGATE_ADMIN_TOKEN}` } });
    const { nodes } = (await response.json()) as { nodes: { online: boolean }[] };
    if (nodes.filter((node) => node.online).length === expectedNodes) break;
    if (attempt > 300) t.fail(`only ${nodes.filter((node) => node.online).length} of ${expectedNodes} nodes online`);
    await sleep(100);
  }
  await s3.send(new CreateBucketCommand({ Bucket: 'compose' }));
  const body = seededBytes(1_000_000, 5);
  await s3.send(new PutObjectCommand({ Bucket: 'compose', Key: 'object.bin', Body: body }));
  const whole = await s3.send(new GetObjectCommand({ Bucket: 'compose', Key: 'object.bin' }));
  t.true(Buffer.from(await whole.Body!.transformToByteArray()).equals(body));
  const range = await s3.send(new GetObjectCommand({ Bucket: 'compose', Key: 'object.bin', Range: 'bytes=300000-400000' }));
  t.true(Buffer.from(await range.Body!.transformToByteArray()).equals(body.subarray(300_000, 400_001)));
});

test('docker-compose.yml is valid for docker-compose (1.29, Debian) with the example .env', (t) => {
  const result = spawnSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  t.is(result.error, undefined, 'docker-compose is not installed (apt-get install docker-compose; .ci/run does this)');
  t.is(result.status, 0, result.stderr);
  const services = spawnSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '--services'], { cwd: ROOT, encoding: 'utf8' });
  t.deepEqual(services.stdout.trim().split('\n').sort(), ['gateway', 'gateway-2', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6', 'postgres']);
  const profiles = spawnSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '--profiles'], { cwd: ROOT, encoding: 'utf8' });
  t.is(profiles.stdout.trim(), 'postgres');
});

test('the postgres profile: a database service the gateway reaches through SHARDGATE_META_URL, valid for docker-compose', (t) => {
  const env = { ...process.env, SHARDGATE_META_URL: 'postgres://shardgate:pw-from-env@postgres:5432/shardgate', POSTGRES_PASSWORD: 'pw-from-env' };
  const result = spawnSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', '--profile', 'postgres', 'config'], { cwd: ROOT, encoding: 'utf8', env });
  t.is(result.error, undefined, 'docker-compose is not installed (apt-get install docker-compose; .ci/run does this)');
  t.is(result.status, 0, result.stderr);
  const resolved = parse(result.stdout) as { services: Record<string, ComposeService & { image?: string; healthcheck?: { test: string[] } }>; volumes: Record<string, unknown> };
  const postgres = resolved.services.postgres!;
  t.deepEqual(postgres.profiles, ['postgres']);
  t.regex(postgres.image!, /^postgres:/);
  t.is(postgres.environment!.POSTGRES_PASSWORD, 'pw-from-env');
  t.is(postgres.environment!.POSTGRES_USER, 'shardgate');
  t.is(postgres.environment!.POSTGRES_DB, 'shardgate');
  t.deepEqual(postgres.healthcheck!.test.slice(0, 2), ['CMD', 'pg_isready']);
  t.true(postgres.volumes!.some((volume) => String((volume as unknown as { target?: string }).target ?? volume).includes('/var/lib/postgresql/data')));
  t.true('postgres-data' in resolved.volumes);
  // The gateway takes the URL from the environment, and that URL is one its own config accepts.
  const gatewayUrl = resolved.services.gateway!.environment!.SHARDGATE_META_URL!;
  t.is(gatewayUrl, env.SHARDGATE_META_URL);
  t.is(parseMetaUrl(gatewayUrl), gatewayUrl);
  t.is(new URL(gatewayUrl).hostname, 'postgres', 'the URL names the profile\'s service');
  // The profile's second gateway: the same database, secrets and master key, its own port and volume.
  const second = resolved.services['gateway-2']!;
  t.deepEqual(second.profiles, ['postgres']);
  t.is(second.environment!.SHARDGATE_META_URL, gatewayUrl);
  for (const name of ['SHARDGATE_ACCESS_KEY', 'SHARDGATE_SECRET_KEY', 'SHARDGATE_ADMIN_TOKEN', 'SHARDGATE_JOIN_TOKEN', 'SHARDGATE_MASTER_KEY_FILE']) {
    t.is(second.environment![name], resolved.services.gateway!.environment![name], name);
  }
  t.true('gateway-2-data' in resolved.volumes);
  // Without the URL, the same file keeps SQLite (an empty value is no --meta).
  const plain = spawnSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8' });
  t.is((parse(plain.stdout) as typeof resolved).services.gateway!.environment!.SHARDGATE_META_URL, '');
});
