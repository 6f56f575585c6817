interface Failures {
  since: number;
  count: number;
  /** The lockout's first 429 was reported (audited); the rest of it is not, so a flood writes one row. */
  lockoutReported: boolean;
}

/**
 * Refused console logins per client address: after `maxFailures` within `windowMs`, every login
 * from that address is answered 429 until the window that began with its first failure ends —
 * the right token included, so guessing gains nothing. A few addresses at most are kept
 * (`maxAddresses`, the oldest forgotten first): memory stays bounded whoever knocks.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, Failures>();

  constructor(
    private readonly now: () => number, private readonly maxFailures = 10, private readonly windowMs = 60_000, private readonly maxAddresses = 1024,
  ) {}

  /** False while the address is locked out. */
  allows(address: string): boolean {
    const entry = this.#live(address);
    return !entry || entry.count < this.maxFailures;
  }

  /** True once per lockout: whether this refused attempt is the first one worth recording. */
  firstOfLockout(address: string): boolean {
    const entry = this.#live(address);
    if (!entry || entry.count < this.maxFailures || entry.lockoutReported) return false;
    entry.lockoutReported = true;
    return true;
  }

  /** Seconds until the address may try again (0 when it may now). */
  retryAfterSeconds(address: string): number {
    const entry = this.#live(address);
    return entry && entry.count >= this.maxFailures ? Math.ceil((entry.since + this.windowMs - this.now()) / 1000) : 0;
  }

  failed(address: string): void {
    const entry = this.#live(address);
    if (entry) {
      entry.count++;
      return;
    }
    this.#failures.set(address, { since: this.now(), count: 1, lockoutReported: false });
    while (this.#failures.size > this.maxAddresses) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }

  #live(address: string): Failures | undefined {
    const entry = this.#failures.get(address);
    if (entry && entry.since + this.windowMs <= this.now()) {
      this.#failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
