import { randomBytes } from 'node:crypto';

/** One logged-in browser: the cookie carries `id`; `csrfToken` must come back in a header on every change. */
export interface ConsoleSession {
  readonly id: string;
  readonly csrfToken: string;
  expiresAt: number;
  /** Login time + the absolute lifetime: use never extends a session past it. */
  readonly endsAt: number;
}

/** A session ends this long after its login however busy it is (a stolen cookie is not good forever). */
export const SESSION_ABSOLUTE_LIFETIME_MS = 12 * 3_600_000;

/**
 * Console sessions, in this process's memory only (a restart logs everyone out; the console key
 * rotates then too). Random 256-bit ids and CSRF tokens; a session expires `ttlMs` after its last
 * use (sliding; the console's polling keeps an open page logged in), and at the latest
 * `absoluteLifetimeMs` after its login. At most `maxSessions` live at once: a new login past that ends the session used
 * least recently, so memory stays bounded whatever a client does.
 */
export class ConsoleSessions {
  /** Insertion order = least recently used first (`get` moves a session to the end). */
  readonly #sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxSessions = 64,
    private readonly absoluteLifetimeMs = SESSION_ABSOLUTE_LIFETIME_MS,
  ) {}

  create(): ConsoleSession {
    const now = this.now();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'), csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: Math.min(now + this.ttlMs, now + this.absoluteLifetimeMs), endsAt: now + this.absoluteLifetimeMs,
    };
    this.#sessions.set(session.id, session);
    while (this.#sessions.size > this.maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    return session;
  }

  /** The live session with this id (its expiry pushed back), or null: unknown or expired (then forgotten). */
  get(id: string | undefined): ConsoleSession | null {
    if (!id) return null;
    const session = this.#sessions.get(id);
    if (!session) return null;
    this.#sessions.delete(id);
    if (session.expiresAt <= this.now()) return null;
    session.expiresAt = Math.min(this.now() + this.ttlMs, session.endsAt);
    this.#sessions.set(id, session);
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}

