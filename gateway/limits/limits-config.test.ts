import test from 'ava';
import { ConfigError } from '../../src/config/flags.ts';
import { loadGatewayConfig } from '../config.ts';

const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => loadGatewayConfig(argv, env).config;

test('limits and timeouts have their defaults', (t) => {
  t.like(load([]), { maxUploads: 64, maxUploadsPerClient: 16, headersTimeoutMs: 20_000, idleTimeoutMs: 5_000, bodyProgressTimeoutMs: 30_000, sendProgressTimeoutMs: 30_000 });
});

test('flags win over environment variables', (t) => {
  const env = { SHARDGATE_MAX_UPLOADS: '10', SHARDGATE_MAX_UPLOADS_PER_CLIENT: '3', SHARDGATE_BODY_PROGRESS_TIMEOUT_MS: '2000', SHARDGATE_HEADERS_TIMEOUT_MS: '1000', SHARDGATE_IDLE_TIMEOUT_MS: '700', SHARDGATE_SEND_PROGRESS_TIMEOUT_MS: '1500' };
  t.like(load([], env), { maxUploads: 10, maxUploadsPerClient: 3, bodyProgressTimeoutMs: 2000, headersTimeoutMs: 1000, idleTimeoutMs: 700, sendProgressTimeoutMs: 1500 });
  t.like(load(['--max-uploads', '20', '--body-progress-timeout=5000'], env), { maxUploads: 20, bodyProgressTimeoutMs: 5000 });
  t.like(load(['--max-uploads', '4']), { maxUploadsPerClient: 4 }, 'the per-client default never exceeds the global limit');
});

test('a per-client limit above the global one, or a zero limit, is refused in one line', (t) => {
  t.throws(() => load(['--max-uploads', '4', '--max-uploads-per-client', '5']), { instanceOf: ConfigError, message: /--max-uploads-per-client must be an integer from 1 to 4/ });
  t.throws(() => load(['--max-uploads', '0']), { instanceOf: ConfigError, message: /--max-uploads/ });
  t.throws(() => load(['--body-progress-timeout', 'soon']), { instanceOf: ConfigError, message: /--body-progress-timeout/ });
  t.throws(() => load(['--send-progress-timeout', '0']), { instanceOf: ConfigError, message: /--send-progress-timeout/ });
});
