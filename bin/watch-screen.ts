/**
 * `--watch`: redraws a frame every interval. On a terminal the cursor goes home and each line is
 * overwritten in place (then cleared to its end, and the screen below the frame cleared), so the
 * screen never blanks between frames; elsewhere (a pipe, a file) frames follow each other. A
 * frame that fails (the gateway unreachable) shows its one-line error and the watch goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WatchOptions {
  readonly intervalMs: number;
  readonly out: NodeJS.WriteStream;
  /** The text of one frame; a rejection is shown as `failed(error)` in place of it. */
  readonly frame: () => Promise<string>;
  readonly failed: (error: unknown) => string;
  /** The first line of every frame (interval, time). */
  readonly title: (now: Date) => string;
  readonly signal?: AbortSignal;
}

const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export async function watchScreen(options: WatchOptions): Promise<void> {
  const { out } = options;
  const terminal = out.isTTY === true;
  if (terminal) {
    out.write(`${HIDE_CURSOR}\x1b[2J`);
    // Ctrl-C ends the watch: show the cursor again (a process killed by the signal would leave it hidden).
    process.once('SIGINT', () => {
      out.write(`${SHOW_CURSOR}\n`);
      process.exit(0);
    });
  }
  while (!options.signal?.aborted) {
    let text: string;
    try {
      text = await options.frame();
    } catch (error) {
      text = `${options.failed(error)}\n`;
    }
    const frame = `${options.title(new Date())}\n${text}`;
    if (terminal) {
      out.write(`${HOME}${frame.split('\n').map((line) => `${line}${CLEAR_LINE_END}`).join('\n')}${CLEAR_BELOW}`);
    } else {
      out.write(`${frame}\n`);
    }
    try {
      await sleep(options.intervalMs, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      return; // aborted
    }
  }
}
