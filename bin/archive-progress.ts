/**
 * Progress for the archive commands: a bar redrawn in place on a terminal (at most ten times a
 * second) with rate and ETA, nothing at all otherwise; the commands print one summary line when they finish.
 */
import { formatDuration } from './status-format.ts';

export interface Progress {
  update(phase: string, bytesDone: number, bytesTotal: number): void;
  /** Clears the bar so the summary line starts on a clean line. */
  finish(): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 28;

export function createProgress(output: NodeJS.WriteStream): Progress {
  if (!output.isTTY) return { update() {}, finish() {} };
  let lastDrawAt = 0;
  let phaseStartedAt = performance.now();
  let currentPhase = '';
  let drawn = false;
  return {
    update(phase, bytesDone, bytesTotal) {
      const now = performance.now();
      if (phase !== currentPhase) {
        currentPhase = phase;
        phaseStartedAt = now;
      } else if (now - lastDrawAt < REDRAW_MS && bytesDone < bytesTotal) {
        return;
      }
      lastDrawAt = now;
      const fraction = bytesTotal === 0 ? 1 : Math.min(1, bytesDone / bytesTotal);
      const filled = Math.round(fraction * BAR_WIDTH);
      const seconds = (now - phaseStartedAt) / 1000;
      const bytesPerSecond = seconds > 0 ? bytesDone / seconds : 0;
      const rate = bytesPerSecond > 0 ? `${formatMegabytes(bytesPerSecond)}/s  ETA ${formatDuration((bytesTotal - bytesDone) / bytesPerSecond)}` : '';
      const line = `${phase.padEnd(7)} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatMegabytes(bytesDone)} / ${formatMegabytes(bytesTotal)}  ${rate}`;
      output.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) output.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** 10^6 bytes, one decimal: `12.3 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
