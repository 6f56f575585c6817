import { parseDuration, parseInteger, type SettingSpecs } from '../../src/config/flags.ts';

/** The gateway's lifecycle settings (merged into its flag table by config.ts). */
export const LIFECYCLE_SETTING_SPECS = {
  lifecycleInterval: { flag: 'lifecycle-interval', env: 'SHARDGATE_LIFECYCLE_INTERVAL', kind: 'string', description: 'how often the lifecycle worker applies the buckets\' rules (expiration, abort of incomplete uploads; 0 turns it off)', defaultText: '10m' },
  lifecycleDaySeconds: { flag: 'lifecycle-day-seconds', env: 'SHARDGATE_LIFECYCLE_DAY_SECONDS', kind: 'integer', description: 'length of a lifecycle "day" in seconds (rules\' Days and midnights; shorten only for tests)', defaultText: '86400' },
} as const satisfies SettingSpecs;

type LifecycleValues = { readonly [K in keyof typeof LIFECYCLE_SETTING_SPECS]?: string | undefined };

export interface LifecycleSettings {
  /** Pause between two worker passes; 0: no worker (rules are kept and reported, never applied). */
  readonly lifecycleIntervalMs: number;
  /** One lifecycle day in ms: 86,400,000 unless scaled for tests. */
  readonly lifecycleDayMs: number;
}

/** Validates the lifecycle settings; ConfigError with a one-line message naming the flag. */
export function loadLifecycleSettings(values: LifecycleValues): LifecycleSettings {
  return {
    lifecycleIntervalMs: values.lifecycleInterval === undefined ? 600_000
      : values.lifecycleInterval.trim() === '0' ? 0 : parseDuration('--lifecycle-interval', values.lifecycleInterval, 100),
    lifecycleDayMs: values.lifecycleDaySeconds === undefined ? 86_400_000
      : parseInteger('--lifecycle-day-seconds', values.lifecycleDaySeconds, 1, 86_400) * 1_000,
  };
}
