import { parseInteger, type SettingSpecs } from '../../src/config/flags.ts';

/** The gateway's resource limits and server timeouts (merged into its flag table by config.ts). */
export const LIMIT_SETTING_SPECS = {
  maxUploads: { flag: 'max-uploads', env: 'SHARDGATE_MAX_UPLOADS', kind: 'integer', description: 'uploads (PutObject, UploadPart, UploadPartCopy) in progress at once; more get 503 SlowDown', defaultText: '64' },
  maxUploadsPerClient: { flag: 'max-uploads-per-client', env: 'SHARDGATE_MAX_UPLOADS_PER_CLIENT', kind: 'integer', description: 'uploads in progress at once per account; more get 503 SlowDown', defaultText: '16' },
  headersTimeout: { flag: 'headers-timeout', env: 'SHARDGATE_HEADERS_TIMEOUT_MS', kind: 'integer', description: 'ms a client may take to send a request\'s headers', defaultText: '20000' },
  idleTimeout: { flag: 'idle-timeout', env: 'SHARDGATE_IDLE_TIMEOUT_MS', kind: 'integer', description: 'ms an idle keep-alive connection is kept open', defaultText: '5000' },
  bodyProgressTimeout: { flag: 'body-progress-timeout', env: 'SHARDGATE_BODY_PROGRESS_TIMEOUT_MS', kind: 'integer', description: 'ms a request body may send nothing before the request is aborted', defaultText: '30000' },
  keepAliveInterval: { flag: 'keep-alive-interval', env: 'SHARDGATE_KEEP_ALIVE_INTERVAL_MS', kind: 'integer', description: 'ms a byte-copying CopyObject/UploadPartCopy may run before the gateway answers 200 and sends a space every interval until the result', defaultText: '5000' },
  sendProgressTimeout: { flag: 'send-progress-timeout', env: 'SHARDGATE_SEND_PROGRESS_TIMEOUT_MS', kind: 'integer', description: 'ms a client may read nothing of a response body that is waiting for it before the connection is closed', defaultText: '30000' },
} as const satisfies SettingSpecs;

type LimitValues = { readonly [K in keyof typeof LIMIT_SETTING_SPECS]?: string | undefined };

export interface LimitSettings {
  /** Uploads in progress at once, over all clients. */
  readonly maxUploads: number;
  /** Uploads in progress at once per account. */
  readonly maxUploadsPerClient: number;
  /** Node's `headersTimeout`: the whole request head must arrive within this. */
  readonly headersTimeoutMs: number;
  /** Node's `keepAliveTimeout`: an idle connection between requests is closed after this. */
  readonly idleTimeoutMs: number;
  /** A request body that sends no byte for this long is aborted (S3 `RequestTimeout`). */
  readonly bodyProgressTimeoutMs: number;
  /**
   * A client that reads nothing of a waiting response body for this long has its connection
   * closed, and the shard reads behind it are cancelled (their pooled connections freed).
   */
  readonly sendProgressTimeoutMs: number;
  /** A copy that re-encrypts bytes answers 200 after this and keeps the connection alive with spaces (see keep-alive-response.ts). */
  readonly keepAliveIntervalMs: number;
}

/** Validates the limit settings; ConfigError with a one-line message naming the flag. */
export function loadLimitSettings(values: LimitValues): LimitSettings {
  const maxUploads = values.maxUploads === undefined ? 64 : parseInteger('--max-uploads', values.maxUploads, 1, 100_000);
  return {
    maxUploads,
    maxUploadsPerClient: values.maxUploadsPerClient === undefined
      ? Math.min(16, maxUploads)
      : parseInteger('--max-uploads-per-client', values.maxUploadsPerClient, 1, maxUploads),
    headersTimeoutMs: values.headersTimeout === undefined ? 20_000 : parseInteger('--headers-timeout', values.headersTimeout, 100, 600_000),
    idleTimeoutMs: values.idleTimeout === undefined ? 5_000 : parseInteger('--idle-timeout', values.idleTimeout, 100, 600_000),
    bodyProgressTimeoutMs: values.bodyProgressTimeout === undefined
      ? 30_000
      : parseInteger('--body-progress-timeout', values.bodyProgressTimeout, 100, 3_600_000),
    sendProgressTimeoutMs: values.sendProgressTimeout === undefined
      ? 30_000
      : parseInteger('--send-progress-timeout', values.sendProgressTimeout, 100, 3_600_000),
    keepAliveIntervalMs: values.keepAliveInterval === undefined
      ? 5_000
      : parseInteger('--keep-alive-interval', values.keepAliveInterval, 1, 600_000),
  };
}
