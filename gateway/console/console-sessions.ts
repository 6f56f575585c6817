import { randomBytes } from 'node:crypto';

/** One logged-in browser: the cookie carries `id`; `csrfToken` must come back in a header on every change. */
export interface ConsoleSession {
  readonly id: string;
  readonly csrfToken: string;
  expiresAt: number;
}

/**
 * Console sessions, in this process's memory only (a restart logs everyone out; the console key
 * rotates then too). Random 256-bit ids and CSRF tokens; a session expires `ttlMs` after its last
 * use (sliding). At most `maxSessions` live at once: a new login past that ends the session used
 * least recently, so memory stays bounded whatever a client does.
 */
export class ConsoleSessions {
  /** Insertion order = least recently used first (`get` moves a session to the end). */
  readonly #sessions = new Map<string, ConsoleSession>();

  constructor(private readonly ttlMs: number, private readonly now: () => number, private readonly maxSessions = 64) {}

  create(): ConsoleSession {
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'), csrfToken: randomBytes(32).toString('base64url'), expiresAt: this.now() + this.ttlMs,
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
    session.expiresAt = this.now() + this.ttlMs;
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

