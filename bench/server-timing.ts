/**
 * The gateway's per-request stages (its opt-in `Server-Timing` header, `--server-timing`) as the
 * range-read benches collect them: parsed per response, summarised per scenario as p50s, printed
 * as a table beside the latency table.
 */
import { distribution, formatTable } from './stats.ts';

/** `auth;dur=0.41, metadata;dur=0.12` → `{ auth: 0.41, metadata: 0.12 }`; entries without `dur` are skipped. */
export function parseServerTiming(header: string | string[] | undefined): Record<string, number> {
  const stages: Record<string, number> = {};
  const text = Array.isArray(header) ? header.join(', ') : header ?? '';
  for (const entry of text.split(',')) {
    const [name, ...parameters] = entry.trim().split(';');
    const duration = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('dur='));
    if (name && duration) stages[name] = Number(duration.slice('dur='.length));
  }
  return stages;
}

/** Per stage, the median over the samples that have it (null when none does). */
export function stageMedians(samples: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample)))];
  return Object.fromEntries(names.map((name) => [name, distribution(samples.flatMap((sample) => (name in sample ? [sample[name]!] : []))).p50]));
}

/** One row per scenario with stages: the stage medians in ms, the client's TTFB p50 beside them. */
export function formatStageTable(rows: readonly { label: string; ttfbP50: number; stages: Record<string, number> }[]): string {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.stages)))];
  const header = ['scenario', ...names, 'client ttfb'];
  const body = rows.map((row) => [row.label, ...names.map((name) => (name in row.stages ? row.stages[name]!.toFixed(2) : '-')), row.ttfbP50.toFixed(2)]);
  return formatTable(header, body);
}
