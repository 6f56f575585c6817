import type { TimeWindow } from '../meta/usage-types.ts';

/** A usage query parameter that cannot be used; `parameter` names it for the 400 answer. */
export class UsageParameterError extends Error {
  readonly code = 'INVALID_USAGE_PARAMETER';
  override name = 'UsageParameterError';
  constructor(readonly parameter: string, message: string) {
    super(message);
  }
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 UTC-anchored time: `2025-01-31` (midnight UTC), `2025-01-31T12:00Z`,
 * `2025-01-31T12:00:00.250+02:00`. Null for anything else, including impossible dates (Feb 30,
 * hour 24) that `Date.parse` would silently roll over.
 */
export function parseTime(text: string): Date | null {
  const match = TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', millis = '0', zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], Number(millis.padEnd(3, '0'))));
  if (local.getUTCFullYear() !== fields[0] || local.getUTCMonth() !== fields[1] - 1 || local.getUTCDate() !== fields[2]
    || local.getUTCHours() !== fields[3] || local.getUTCMinutes() !== fields[4] || local.getUTCSeconds() !== fields[5]) {
    return null;
  }
  if (zone === 'Z') return local;
  const [offsetHours, offsetMinutes] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const sign = zone.startsWith('-') ? -1 : 1;
  return new Date(local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
}

/**
 * The window an invoice covers, from the `from` and `to` query parameters: `from` defaults to the
 * start of the current UTC month, `to` to now, and a `to` in the future is cut at now (usage that
 * has not happened is never billed). Throws UsageParameterError naming the parameter for a
 * malformed time, a `from` not in the past, or a window that does not move forward.
 */
export function parseUsageWindow(params: { readonly from?: string | undefined; readonly to?: string | undefined }, now: Date): TimeWindow {
  const from = params.from === undefined
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    : parseParameter('from', params.from);
  const requestedTo = params.to === undefined ? now : parseParameter('to', params.to);
  if (requestedTo.getTime() <= from.getTime()) {
    throw new UsageParameterError('to', `to (${requestedTo.toISOString()}) must be after from (${from.toISOString()})`);
  }
  if (from.getTime() >= now.getTime()) {
    throw new UsageParameterError('from', `from (${from.toISOString()}) is not in the past`);
  }
  return { from, to: requestedTo.getTime() > now.getTime() ? now : requestedTo };
}

function parseParameter(name: string, text: string): Date {
  const time = parseTime(text);
  if (!time) throw new UsageParameterError(name, `${name} must be an ISO 8601 time such as 2025-01-31 or 2025-01-31T12:00:00Z, got "${text}"`);
  return time;
}
