/**
 * Keeping a node known to its gateway: register (retrying with capped, jittered exponential
 * backoff while the gateway is unreachable or answers 5xx/429), then heartbeat every interval the
 * gateway asked for. Registrations and heartbeats are signed with the node's Ed25519 key (see
 * src/node-protocol/node-key.ts); each registration gets a fresh request secret. A heartbeat
 * answered 401/403/404 means the gateway no longer accepts it (it forgot the node, or the URL
 * moved): register again. A 4xx answer to registration itself (a wrong or revoked join token, a
 * tombstoned id, a key the gateway does not know for this id) will not fix itself and ends the
 * loop with `RegistrationRejectedError`. Everything stops when `signal` aborts.
 *
 * Clock skew: nodes run on other people's machines, whose clocks may be minutes off, and every
 * signature carries a time. Registration measures the gateway's clock from its `Date` header, and
 * a registration refused as SIGNED_AT_STALE carries the gateway's time, so the node corrects its
 * offset and retries at once; the node then signs and checks expiries in gateway time
 * (`clockOffsetMs`), so a skewed node clock cannot make every request look expired.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../src/log/logger.ts';
import { heartbeatMessage, registrationMessage, signWithNodeKey } from '../src/node-protocol/node-key.ts';
import {
  NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH, parseNodeRefusal, parseNodeRegisterResponse,
  type NodeHeartbeatRequest, type NodeRegisterRequest, type NodeRegisterResponse,
} from '../src/node-protocol/routes.ts';
import type { Clock } from './clock.ts';
import type { NodeSpace } from './disk-space.ts';
import type { NodeIdentity } from './node-identity.ts';

export class RegistrationRejectedError extends Error {
  readonly code = 'REGISTRATION_REJECTED';
  override name = 'RegistrationRejectedError';
  constructor(readonly status: number, detail: string) {
    super(`the gateway refused to register this node (${status}${detail ? `: ${detail}` : ''})`);
  }
}

export interface RegistrationOptions {
  /** Gateway origin, no trailing slash. */
  readonly gatewayUrl: string;
  /** Admits a new identity; not needed once the gateway knows this node's key. */
  readonly joinToken: string | null;
  readonly identity: NodeIdentity;
  /** Origin the gateway reaches this node at. */
  readonly nodeUrl: string;
  readonly zone: string;
  readonly readSpace: () => Promise<NodeSpace>;
  /**
   * Called after every successful registration with the gateway's answer and the offset of the
   * gateway's clock from `clock` (0 when within the `Date` header's one-second resolution).
   */
  readonly onRegistered: (registration: NodeRegisterResponse, clockOffsetMs: number) => void;
  /** The local clock; heartbeats are signed in gateway time (this plus the measured offset). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Told the outcome of every heartbeat (`shardgate node status` shows the last one). */
  readonly onHeartbeat?: (outcome: { readonly ok: boolean; readonly status?: number; readonly error?: string }) => void;
  readonly fetch?: typeof fetch;
  /** First retry delay and its cap; defaults 250 ms and 30 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Per request; default 10 s. */
  readonly requestTimeoutMs?: number;
}

type GatewayAnswer = { status: number; body: string; dateMs: number | null } | { status: 0; error: string };

/** Offsets below this are rounding of the one-second `Date` header, not skew. */
const NEGLIGIBLE_SKEW_MS = 2000;

async function callGateway(options: RegistrationOptions, path: string, body: unknown): Promise<GatewayAnswer> {
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.requestTimeoutMs ?? 10_000)]);
  try {
    const response = await doFetch(`${options.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const date = response.headers.get('date');
    const dateMs = date === null ? NaN : Date.parse(date);
    return { status: response.status, body: (await response.text()).slice(0, 2000), dateMs: Number.isNaN(dateMs) ? null : dateMs };
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, error: cause?.code ?? (error as Error).message };
  }
}

function backoffMs(options: RegistrationOptions, attempt: number): number {
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 250, maxMs: 30_000 };
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export interface GatewayRegistration {
  readonly registration: NodeRegisterResponse;
  /** Gateway clock minus local clock, 0 when negligible. */
  readonly clockOffsetMs: number;
}

/**
 * Signed times of one node: gateway time (local clock + measured offset), strictly increasing, so
 * the gateway can refuse any message that is not newer than the last one it accepted.
 */
class SignedClock {
  #lastMs = 0;
  constructor(private readonly clock: Clock, public offsetMs: number) {}

  /** A new offset learnt from the gateway; what was signed before it was refused, so forget it. */
  correct(offsetMs: number): void {
    this.offsetMs = offsetMs;
    this.#lastMs = 0;
  }

  next(): number {
    this.#lastMs = Math.max(Math.round(this.clock.nowMs() + this.offsetMs), this.#lastMs + 1);
    return this.#lastMs;
  }
}

function signedRegistration(options: RegistrationOptions, space: NodeSpace, signedAtMs: number): NodeRegisterRequest {
  const { identity } = options;
  const fields = { nodeId: identity.nodeId, url: options.nodeUrl, zone: options.zone, publicKey: identity.publicKey, signedAtMs };
  return {
    ...fields,
    capacityBytes: space.capacityBytes,
    freeBytes: space.freeBytes,
    joinToken: options.joinToken,
    signature: signWithNodeKey(identity.privateKey, registrationMessage(fields)),
  };
}

/** Registers, retrying until the gateway answers 200 (or refuses with a 4xx). */
export async function registerWithGateway(options: RegistrationOptions, initialOffsetMs = 0): Promise<GatewayRegistration> {
  const signedClock = new SignedClock(options.clock, initialOffsetMs);
  let correctedClock = false;
  for (let attempt = 0; ; attempt++) {
    const space = await options.readSpace();
    const request = signedRegistration(options, space, signedClock.next());
    const sentMs = options.clock.nowMs();
    const answer = await callGateway(options, NODE_REGISTER_PATH, request);
    if (answer.status === 200 && 'body' in answer) {
      try {
        const registration = parseNodeRegisterResponse(JSON.parse(answer.body));
        // The Date header is truncated to the second: compare it with the middle of that second.
        const midpointMs = (sentMs + options.clock.nowMs()) / 2;
        const offsetMs = answer.dateMs === null ? 0 : answer.dateMs + 500 - midpointMs;
        const measuredMs = Math.abs(offsetMs) < NEGLIGIBLE_SKEW_MS ? 0 : Math.round(offsetMs);
        // Keep a finer offset learnt from a refusal when the Date header agrees with it.
        const clockOffsetMs = correctedClock && Math.abs(measuredMs - signedClock.offsetMs) < NEGLIGIBLE_SKEW_MS ? signedClock.offsetMs : measuredMs;
        return { registration, clockOffsetMs };
      } catch (error) {
        options.logger.warn('registration answer malformed', { message: (error as Error).message });
      }
    } else if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
      const refusal = 'body' in answer ? parseJsonRefusal(answer.body) : null;
      if (refusal?.error === 'SIGNED_AT_STALE' && refusal.gatewayTimeMs !== undefined && !correctedClock) {
        // Our clock is off from the gateway's: sign in its time from now on, and retry at once.
        correctedClock = true;
        signedClock.correct(refusal.gatewayTimeMs - (sentMs + options.clock.nowMs()) / 2);
        options.logger.warn('registration signed at a time the gateway refused; retrying in gateway time', { clockOffsetMs: Math.round(signedClock.offsetMs) });
        continue;
      }
      throw new RegistrationRejectedError(answer.status, refusal ? `${refusal.error}: ${refusal.message}`.slice(0, 200) : ('body' in answer ? answer.body.slice(0, 200) : ''));
    } else {
      options.logger.warn('registration failed, retrying', {
        gateway: options.gatewayUrl, attempt, status: answer.status, ...('error' in answer ? { reason: answer.error } : {}),
      });
    }
    await sleep(backoffMs(options, attempt), undefined, { signal: options.signal });
  }
}

function parseJsonRefusal(body: string) {
  try {
    return parseNodeRefusal(JSON.parse(body));
  } catch {
    return null;
  }
}

/**
 * Heartbeats every `registration.heartbeatIntervalMs` until the gateway stops accepting them
 * (returns 'lost') or `signal` aborts (throws the abort reason).
 */
export async function sendHeartbeats(options: RegistrationOptions, { registration, clockOffsetMs }: GatewayRegistration): Promise<'lost'> {
  const signedClock = new SignedClock(options.clock, clockOffsetMs);
  for (;;) {
    await sleep(registration.heartbeatIntervalMs, undefined, { signal: options.signal });
    const space = await options.readSpace();
    const fields = { nodeId: options.identity.nodeId, url: options.nodeUrl, ...space, signedAtMs: signedClock.next() };
    const heartbeat: NodeHeartbeatRequest = { ...fields, signature: signWithNodeKey(options.identity.privateKey, heartbeatMessage(fields)) };
    const answer = await callGateway(options, NODE_HEARTBEAT_PATH, heartbeat);
    options.onHeartbeat?.(answer.status >= 200 && answer.status <= 299
      ? { ok: true, status: answer.status }
      : { ok: false, ...(answer.status === 0 ? {} : { status: answer.status }), ...('error' in answer ? { error: answer.error } : {}) });
    if (answer.status === 401 || answer.status === 403 || answer.status === 404) {
      const refusal = 'body' in answer ? parseJsonRefusal(answer.body) : null;
      options.logger.warn('gateway no longer accepts this node, registering again', { status: answer.status, ...(refusal ? { reason: refusal.error } : {}) });
      return 'lost';
    }
    if (answer.status < 200 || answer.status > 299) {
      options.logger.warn('heartbeat failed', { status: answer.status, ...('error' in answer ? { reason: answer.error } : {}) });
    }
  }
}

/**
 * Register, heartbeat, re-register when the gateway forgets the node, until `signal` aborts
 * (then resolves). Rejects with RegistrationRejectedError (or a failure of `readSpace`).
 */
export async function maintainRegistration(options: RegistrationOptions): Promise<void> {
  let clockOffsetMs = 0;
  try {
    for (;;) {
      const registered = await registerWithGateway(options, clockOffsetMs);
      clockOffsetMs = registered.clockOffsetMs;
      options.onRegistered(registered.registration, registered.clockOffsetMs);
      options.logger.info('registered', {
        gateway: options.gatewayUrl, secretEpoch: registered.registration.secretEpoch,
        heartbeatIntervalMs: registered.registration.heartbeatIntervalMs, clockOffsetMs: registered.clockOffsetMs,
      });
      if (Math.abs(registered.clockOffsetMs) > 30_000) {
        options.logger.warn('this machine\'s clock is off from the gateway\'s; signatures use gateway time', { clockOffsetMs: registered.clockOffsetMs });
      }
      await sendHeartbeats(options, registered);
    }
  } catch (error) {
    if (options.signal.aborted) return;
    throw error;
  }
}
