/**
 * SIGTERM/SIGINT for the long-running commands (`gateway`, `node`): the first signal starts a
 * graceful shutdown (the caller's `shutdown`, which drains and flushes, then names the exit code);
 * a second signal while it runs exits at once with 128 + the signal's number (130 for SIGINT, 143
 * for SIGTERM), as a shell reports a process killed by that signal.
 */
import { constants } from 'node:os';
import type { Logger } from '../log/logger.ts';

/** Every request in flight finished within the deadline and everything was flushed. */
export const EXIT_DRAINED = 0;
/** The shutdown deadline passed: requests still in flight were cut (as timeout(1) reports a timeout). */
export const EXIT_SHUTDOWN_DEADLINE = 124;

export interface ShutdownSignalOptions {
  readonly logger: Logger;
  /** Drains and closes; resolves with the exit code. Called once, on the first signal. */
  readonly shutdown: (signal: NodeJS.Signals) => Promise<number>;
  /** How many requests are in flight, for the log line of a forced exit. */
  readonly inFlight: () => number;
  /** Ends the process; `process.exit` by default. */
  readonly exit?: (code: number) => void;
}

export function exitCodeOfSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Installs the handlers; returns a function that removes them (for a shutdown that began another way). */
export function handleShutdownSignals(options: ShutdownSignalOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn('shutdown_forced', { signal, inFlight: options.inFlight(), exitCode: exitCodeOfSignal(signal) });
      exit(exitCodeOfSignal(signal));
      return;
    }
    shuttingDown = true;
    options.shutdown(signal).then(exit, (error: Error) => {
      options.logger.error('shutdown_failed', { error: error.message });
      exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
