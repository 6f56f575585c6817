import { ConfigError, parseBytes, parseDuration, parseInteger, type SettingSpecs } from '../../src/config/flags.ts';

export { parseDuration };

/** The gateway's repair settings (merged into its flag table by config.ts). */
export const REPAIR_SETTING_SPECS = {
  nodeLostAfter: { flag: 'node-lost-after', env: 'SHARDGATE_NODE_LOST_AFTER', kind: 'string', description: 'a node offline this long is lost: its shards are repaired elsewhere (e.g. 90s, 30m, 1h)', defaultText: '1h' },
  repairConcurrency: { flag: 'repair-concurrency', env: 'SHARDGATE_REPAIR_CONCURRENCY', kind: 'integer', description: 'segments repaired at once (0 turns the repairer off)', defaultText: '2' },
  repairRate: { flag: 'repair-rate', env: 'SHARDGATE_REPAIR_RATE', kind: 'bytes', description: 'shard bytes per second repair may read from nodes (0 = no limit)', defaultText: '32MiB' },
  repairLease: { flag: 'repair-lease', env: 'SHARDGATE_REPAIR_LEASE', kind: 'string', description: 'how long a claimed repair job stays claimed without renewal (a dead gateway\'s jobs are taken over after it)', defaultText: '60s' },
  reconcileInterval: { flag: 'reconcile-interval', env: 'SHARDGATE_RECONCILE_INTERVAL', kind: 'string', description: 'pause between two comparisons of each node\'s shard listing with metadata; a file unknown at two in a row is deleted (0 turns it off)', defaultText: '1h' },
  auditInterval: { flag: 'audit-interval', env: 'SHARDGATE_AUDIT_INTERVAL', kind: 'string', description: 'pause between two audit rounds (one chunk of one shard per online node; 0 turns audits off)', defaultText: '1m' },
  auditDisqualifyBelow: { flag: 'audit-disqualify-below', env: 'SHARDGATE_AUDIT_DISQUALIFY_BELOW', kind: 'string', description: 'a node whose audit score (0..1) falls below this is disqualified', defaultText: '0.6' },
  repairCheckInterval: { flag: 'repair-check-interval', env: 'SHARDGATE_REPAIR_CHECK_INTERVAL', kind: 'string', description: 'pause between two checker passes over all segments', defaultText: '1m' },
} as const satisfies SettingSpecs;

type RepairValues = { readonly [K in keyof typeof REPAIR_SETTING_SPECS]?: string | undefined };

export interface RepairSettings {
  readonly nodeLostAfterMs: number;
  readonly repairConcurrency: number;
  /** Bytes per second; 0 = unlimited. */
  readonly repairRateBytes: number;
  readonly repairCheckIntervalMs: number;
  /** A claim's lease; renewed every third of it while the job runs. */
  readonly repairLeaseMs: number;
  /** 0: no audits. */
  readonly auditIntervalMs: number;
  readonly auditDisqualifyBelow: number;
  /** 0: no reconciliation. */
  readonly reconcileIntervalMs: number;
}

/** Validates the repair settings; ConfigError with a one-line message naming the flag. */
export function loadRepairSettings(values: RepairValues): RepairSettings {
  return {
    nodeLostAfterMs: values.nodeLostAfter === undefined ? 3_600_000 : parseDuration('--node-lost-after', values.nodeLostAfter, 1_000),
    repairConcurrency: values.repairConcurrency === undefined ? 2 : parseInteger('--repair-concurrency', values.repairConcurrency, 0, 64),
    repairRateBytes: values.repairRate === undefined ? 32 * 1024 * 1024 : parseBytes('--repair-rate', values.repairRate),
    repairCheckIntervalMs: values.repairCheckInterval === undefined ? 60_000 : parseDuration('--repair-check-interval', values.repairCheckInterval, 100),
    auditIntervalMs: values.auditInterval === undefined ? 60_000
      : values.auditInterval.trim() === '0' ? 0 : parseDuration('--audit-interval', values.auditInterval, 100),
    auditDisqualifyBelow: values.auditDisqualifyBelow === undefined ? 0.6 : parseFraction('--audit-disqualify-below', values.auditDisqualifyBelow),
    reconcileIntervalMs: values.reconcileInterval === undefined ? 3_600_000
      : values.reconcileInterval.trim() === '0' ? 0 : parseDuration('--reconcile-interval', values.reconcileInterval, 1_000),
    repairLeaseMs: values.repairLease === undefined ? 60_000 : parseDuration('--repair-lease', values.repairLease, 1_000),
  };
}

/** A number in [0, 1]. */
function parseFraction(flag: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(`${flag} must be a number between 0 and 1, got "${raw}"`);
  return value;
}
