import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../src/config/flags.ts';
import { DEFAULT_NODE_PORT, loadNodeConfig } from './config.ts';

const REQUIRED = ['--gateway', 'http://10.0.0.1:9000', '--join-token', 'tok'];

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = loadNodeConfig(argv, env);
  if (result.help) throw new Error('unexpected help');
  return result.config;
}

test('defaults', (t) => {
  const config = load(REQUIRED);
  t.deepEqual(config, {
    host: '0.0.0.0', port: DEFAULT_NODE_PORT, dataDir: path.resolve('./data/node'), gatewayUrl: 'http://10.0.0.1:9000',
    joinToken: 'tok', zone: 'default', capacityBytes: null, publicUrl: null, tls: true, log: { format: 'json', level: 'info' }, bodyProgressTimeoutMs: 30_000, shutdownTimeoutMs: 30_000, metricsToken: null, scrub: { bytesPerSecond: 8 * 1024 * 1024, passEveryMs: 86_400_000 },
    blockingReadMaxBytes: 1024 * 1024,
  });
  t.true(Object.isFrozen(config));
});

test('every flag, in both --flag value and --flag=value forms', (t) => {
  const config = load([
    '--port=0', '--host', '127.0.0.1', '--data-dir', '/srv/shards', '--gateway=https://gw.example.com/', '--join-token', 't2',
    '--zone', 'rack-7', '--capacity', '1.5GiB', '--public-url', 'https://node7.example.com:8443', '--tls', 'true', '--log-format', 'pretty', '--log-level=warn', '--body-progress-timeout=2000',
    '--scrub-rate', '1MiB', '--scrub-every=60000', '--blocking-read-max', '0',
  ]);
  t.deepEqual(config, {
    host: '127.0.0.1', port: 0, dataDir: '/srv/shards', gatewayUrl: 'https://gw.example.com', joinToken: 't2',
    zone: 'rack-7', capacityBytes: Math.round(1.5 * 1024 ** 3), publicUrl: 'https://node7.example.com:8443', tls: true,
    log: { format: 'pretty', level: 'warn' }, bodyProgressTimeoutMs: 2000, shutdownTimeoutMs: 30_000, metricsToken: null,
    scrub: { bytesPerSecond: 1024 * 1024, passEveryMs: 60_000 }, blockingReadMaxBytes: 0,
  });
});

test('environment variables, with flags taking precedence', (t) => {
  const env = {
    SHARDGATE_NODE_PORT: '7001', SHARDGATE_NODE_DATA_DIR: '/env/data', SHARDGATE_GATEWAY_URL: 'http://gw:9000',
    SHARDGATE_JOIN_TOKEN: 'env-token', SHARDGATE_NODE_ZONE: 'env-zone', SHARDGATE_NODE_CAPACITY: '100GiB',
  };
  t.like(load([], env), {
    port: 7001, dataDir: '/env/data', gatewayUrl: 'http://gw:9000', joinToken: 'env-token', zone: 'env-zone', capacityBytes: 100 * 1024 ** 3,
  });
  t.like(load(['--port', '7002', '--zone', 'flag-zone'], env), { port: 7002, zone: 'flag-zone' });
});

test('--help needs no other setting', (t) => {
  t.deepEqual(loadNodeConfig(['--help'], {}), { help: true, config: null });
});

const refuses = test.macro({
  exec(t, argv: string[], message: RegExp) {
    const error = t.throws(() => load(argv), { instanceOf: ConfigError });
    t.regex(error!.message, message);
    t.false(error!.message.includes('\n'));
  },
  title: (_title, argv: string[]) => `refuses ${argv.join(' ')}`,
});
test(refuses, ['--join-token', 'x'], /--gateway .* is required/);
test(refuses, [...REQUIRED, '--log-format', 'yaml'], /--log-format must be json or pretty/);
test(refuses, ['--gateway', 'http://gw:1'], /--join-token-file or SHARDGATE_JOIN_TOKEN is required/);
test(refuses, ['--gateway', 'http://gw:1', '--join-token-file', '/nonexistent/token'], /--join-token-file: cannot read \/nonexistent\/token \(ENOENT\)/);
test(refuses, [...REQUIRED, '--join-token-file', '/nonexistent/token'], /not both/);
test(refuses, [...REQUIRED, '--port', '70000'], /--port must be an integer from 0 to 65535/);
test(refuses, [...REQUIRED, '--port', '12ab'], /--port must be an integer/);
test(refuses, [...REQUIRED, '--capacity', 'lots'], /--capacity must be a size/);
test(refuses, [...REQUIRED, '--capacity', '0'], /--capacity must be more than 0/);
test(refuses, ['--gateway', 'ftp://gw', '--join-token', 'x'], /--gateway must be an http\(s\) URL/);
test(refuses, ['--gateway', 'http://gw:1/prefix', '--join-token', 'x'], /no path/);
test(refuses, ['--gateway', 'not a url', '--join-token', 'x'], /--gateway must be a URL/);
test(refuses, [...REQUIRED, '--public-url', 'http://node/x'], /--public-url/);
test(refuses, [...REQUIRED, '--zone', 'has space'], /--zone must be/);
test(refuses, [...REQUIRED, '--public-url', 'http://node.example.com:9100'], /--public-url must be https:\/\/ when the node serves TLS/);
test(refuses, [...REQUIRED, '--host', '127.0.0.1', '--public-url', 'https://node.example.com:9100'], /--public-url must be http:\/\/ with --tls false/);

test('TLS is on by default except on loopback addresses', (t) => {
  t.true(load(REQUIRED).tls);
  t.true(load([...REQUIRED, '--host', '10.0.0.5']).tls);
  t.false(load([...REQUIRED, '--host', '127.0.0.1']).tls);
  t.false(load([...REQUIRED, '--host', 'localhost']).tls);
  t.false(load([...REQUIRED, '--tls', 'false']).tls);
  t.true(load([...REQUIRED, '--host', '127.0.0.1', '--tls']).tls);
});
test(refuses, [...REQUIRED, '--bogus', '1'], /unknown option --bogus/);
test(refuses, [...REQUIRED, 'stray'], /unexpected argument "stray"/);
test(refuses, [...REQUIRED, '--port'], /--port needs a value/);

test('the join token can come from a file, so it is on no command line', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'shardgate-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'token');
  await writeFile(file, '  sgjt_fromfile\n', { mode: 0o600 });
  t.is(load(['--gateway', 'http://gw:1', '--join-token-file', file]).joinToken, 'sgjt_fromfile');
  t.is(load([], { SHARDGATE_GATEWAY_URL: 'http://gw:1', SHARDGATE_JOIN_TOKEN_FILE: file }).joinToken, 'sgjt_fromfile');
  await writeFile(file, 'two tokens\n');
  t.throws(() => load(['--gateway', 'http://gw:1', '--join-token-file', file]), { message: /must hold one token/ });
});
