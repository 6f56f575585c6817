/** Time as a dependency, so tests and callers decide what "now" is. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = Object.freeze({ nowMs: () => Date.now() });

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}
