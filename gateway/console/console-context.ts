import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { GatewayDeps } from '../context.ts';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { MetricsSampler } from './metrics-sampler.ts';

/** What the console's routes need: the gateway's own parts, plus the console's sessions and sampler. */
export interface ConsoleDeps {
  readonly gateway: GatewayDeps;
  readonly sessions: ConsoleSessions;
  readonly sampler: MetricsSampler;
  /** Refused logins per client address (429 past ten a minute). */
  readonly loginThrottle: LoginThrottle;
  /** Origin of the S3 listener as the browser reaches it: download links point there. */
  readonly s3Url: string;
  /** The console is served over HTTPS (the session cookie is then `Secure`). */
  readonly secure: boolean;
}

export interface ConsoleEnv {
  Bindings: HttpBindings;
  Variables: { session: ConsoleSession };
}

export type ConsoleContext = Context<ConsoleEnv>;

/** A console API error: JSON `{ error, message }` with a stable code, never HTML. */
export function consoleError(c: ConsoleContext, status: 400 | 401 | 403 | 404 | 408 | 413 | 429 | 500 | 503, error: string, message: string): Response {
  return c.json({ error, message }, status);
}
