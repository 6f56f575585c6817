/**
 * Structured logs, one line per event. Never pass secrets or signatures as fields.
 *
 * Two formats of the same events: `json` (one JSON object per line, for machines and log
 * shippers) and `pretty` (`10:03:12.345 INFO  gateway request method=GET status=200`, for a
 * person at a terminal). A level drops events below it (`warn` keeps warnings and errors).
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

export function createLogger(component: string, options: LogOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const threshold = LOG_LEVELS.indexOf(options.level);
  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const time = now();
    write(options.format === 'json'
      ? `${JSON.stringify({ time: time.toISOString(), level, component, event, ...fields })}\n`
      : `${prettyLine(time, level, component, event, fields)}\n`);
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** JSON lines at level info: what every component logs unless told otherwise. */
export function createJsonLogger(component: string, write?: (line: string) => void): Logger {
  return createLogger(component, { format: 'json', level: 'info', write });
}

function prettyLine(time: Date, level: LogLevel, component: string, event: string, fields: Record<string, unknown> = {}): string {
  const clock = time.toISOString().slice(11, 23);
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`);
  return [clock, level.toUpperCase().padEnd(5), component, event, ...pairs].join(' ');
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
