import { ConfigError, type SettingSpecs } from '../../src/config/flags.ts';
import { parseDuration } from '../repair/repair-config.ts';

/** The web console's settings (merged into the gateway's flag table by config.ts). */
export const CONSOLE_SETTING_SPECS = {
  consoleListen: { flag: 'console-listen', env: 'SHARDGATE_CONSOLE_LISTEN', kind: 'string', description: 'host:port of the web console\'s own listener (port 0 picks a free one)', defaultText: 'off' },
  consoleS3Url: { flag: 'console-s3-url', env: 'SHARDGATE_CONSOLE_S3_URL', kind: 'string', description: 'S3 endpoint URL the browser reaches, for the console\'s download links', defaultText: 'the S3 listener\'s URL' },
  consoleSessionTtl: { flag: 'console-session-ttl', env: 'SHARDGATE_CONSOLE_SESSION_TTL', kind: 'string', description: 'a console session idle this long is logged out (e.g. 15m, 1h)', defaultText: '30m' },
  consoleLinkExpiry: { flag: 'console-link-expiry', env: 'SHARDGATE_CONSOLE_LINK_EXPIRY', kind: 'string', description: 'lifetime of a console download link (1s to 1h)', defaultText: '5m' },
} as const satisfies SettingSpecs;

type ConsoleValues = { readonly [K in keyof typeof CONSOLE_SETTING_SPECS]?: string | undefined };

export interface ConsoleSettings {
  /** Where the console listens; null: no console. */
  readonly consoleListen: { readonly host: string; readonly port: number } | null;
  /** Origin of the S3 listener as the browser sees it; null: the listener's own URL. */
  readonly consoleS3Url: string | null;
  readonly consoleSessionTtlMs: number;
  readonly consoleLinkExpirySeconds: number;
}

export function loadConsoleSettings(values: ConsoleValues): ConsoleSettings {
  return {
    consoleListen: values.consoleListen === undefined || values.consoleListen === '' ? null : parseListen(values.consoleListen),
    consoleS3Url: values.consoleS3Url === undefined || values.consoleS3Url === '' ? null : parseS3Url(values.consoleS3Url),
    consoleSessionTtlMs: values.consoleSessionTtl === undefined ? 30 * 60_000 : parseDuration('--console-session-ttl', values.consoleSessionTtl, 10_000),
    consoleLinkExpirySeconds: values.consoleLinkExpiry === undefined ? 300 : linkExpiry(values.consoleLinkExpiry),
  };
}

/** `127.0.0.1:9001`, `[::1]:9001`, `0.0.0.0:0`. */
function parseListen(raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(raw.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new ConfigError(`--console-listen must be host:port like 127.0.0.1:9001, got "${raw}"`);
  return { host: match[1] ?? match[2]!, port };
}

function parseS3Url(raw: string): string {
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch { /* reported below */ }
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '') {
    throw new ConfigError(`--console-s3-url must be an origin like https://s3.example.com, got "${raw}"`);
  }
  return url.origin;
}

function linkExpiry(raw: string): number {
  const ms = parseDuration('--console-link-expiry', raw, 1_000);
  if (ms > 3_600_000) throw new ConfigError(`--console-link-expiry must be at most 1h, got "${raw}"`);
  return Math.round(ms / 1000);
}
