/** `--log-format` and `--log-level`, shared by every long-running command (gateway, node, dev). */
import { ConfigError, type SettingSpecs } from '../config/flags.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.ts';

export const LOG_SETTING_SPECS = {
  logFormat: { flag: 'log-format', env: 'SHARDGATE_LOG_FORMAT', kind: 'string', description: 'json or pretty', defaultText: 'json (pretty for dev on a terminal)' },
  logLevel: { flag: 'log-level', env: 'SHARDGATE_LOG_LEVEL', kind: 'string', description: 'info, warn or error', defaultText: 'info' },
} as const satisfies SettingSpecs;

export interface LogSettings {
  readonly format: LogFormat;
  readonly level: LogLevel;
}

export function loadLogSettings(values: { readonly logFormat?: string; readonly logLevel?: string }, defaultFormat: LogFormat = 'json'): LogSettings {
  const format = values.logFormat ?? defaultFormat;
  const level = values.logLevel ?? 'info';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new ConfigError(`--log-format must be json or pretty, got "${format}"`);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(`--log-level must be info, warn or error, got "${level}"`);
  return { format: format as LogFormat, level: level as LogLevel };
}
