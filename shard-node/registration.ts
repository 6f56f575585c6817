/**
 * Keeping a node known to its gateway: register (retrying with capped, jittered exponential
 * backoff while the gateway is unreachable or answers 5xx/429), then heartbeat every interval the
 * gateway asked for. A heartbeat answered 401/403/404 means the gateway no longer accepts this
 * node's secret (restarted with a new master key, or forgot the node): register again. A 4xx
 * answer to registration itself (a wrong join token) will not fix itself and ends the loop with
 * `RegistrationRejectedError`. Everything stops when `signal` aborts.
 *
 * Clock skew: nodes run on other people's machines, whose clocks may be minutes off, and every
 * signature carries an expiry. Registration measures the gateway's clock from its `Date` header;
 * the node then signs and checks expiries in gateway time (`clockOffsetMs`), so a skewed node
 * clock cannot make every request look expired.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../src/log/logger.ts';
import {
  NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH, parseNodeRegisterResponse,
  type NodeHeartbeatRequest, type NodeRegisterRequest, type NodeRegisterResponse,
} from '../src/node-protocol/routes.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import type { Clock } from './clock.ts';
import type { NodeSpace } from './disk-space.ts';

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
  readonly joinToken: string;
  readonly nodeId: string;
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
  readonly fetch?: typeof fetch;
  /** First retry delay and its cap; defaults 250 ms and 30 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Per request; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Lifetime of a heartbeat signature; default 60 s. */
  readonly signatureLifetimeSeconds?: number;
}

type GatewayAnswer = { status: number; body: string; dateMs: number | null } | { status: 0; error: string };

/** Offsets below this are rounding of the one-second `Date` header, not skew. */
const NEGLIGIBLE_SKEW_MS = 2000;

async function callGateway(options: RegistrationOptions, path: string, body: unknown, headers: Record<string, string>): Promise<GatewayAnswer> {
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.requestTimeoutMs ?? 10_000)]);
  try {
    const response = await doFetch(`${options.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
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

/** Registers, retrying until the gateway answers 200 (or refuses with a 4xx). */
export async function registerWithGateway(options: RegistrationOptions): Promise<GatewayRegistration> {
  for (let attempt = 0; ; attempt++) {
    const space = await options.readSpace();
    const request: NodeRegisterRequest = {
      nodeId: options.nodeId,
      url: options.nodeUrl,
      zone: options.zone,
      capacityBytes: space.capacityBytes,
      freeBytes: space.freeBytes,
      joinToken: options.joinToken,
    };
    const sentMs = options.clock.nowMs();
    const answer = await callGateway(options, NODE_REGISTER_PATH, request, {});
    if (answer.status === 200 && 'body' in answer) {
      try {
        const registration = parseNodeRegisterResponse(JSON.parse(answer.body));
        // The Date header is truncated to the second: compare it with the middle of that second.
        const midpointMs = (sentMs + options.clock.nowMs()) / 2;
        const offsetMs = answer.dateMs === null ? 0 : answer.dateMs + 500 - midpointMs;
        return { registration, clockOffsetMs: Math.abs(offsetMs) < NEGLIGIBLE_SKEW_MS ? 0 : Math.round(offsetMs) };
      } catch (error) {
        options.logger.warn('registration answer malformed', { message: (error as Error).message });
      }
    } else if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
      throw new RegistrationRejectedError(answer.status, 'body' in answer ? answer.body.slice(0, 200) : '');
    } else {
      options.logger.warn('registration failed, retrying', {
        gateway: options.gatewayUrl, attempt, status: answer.status, ...('error' in answer ? { reason: answer.error } : {}),
      });
    }
    await sleep(backoffMs(options, attempt), undefined, { signal: options.signal });
  }
}

/**
 * Heartbeats every `registration.heartbeatIntervalMs` until the gateway stops accepting them
 * (returns 'lost') or `signal` aborts (throws the abort reason).
 */
export async function sendHeartbeats(options: RegistrationOptions, { registration, clockOffsetMs }: GatewayRegistration): Promise<'lost'> {
  const lifetime = options.signatureLifetimeSeconds ?? 60;
  for (;;) {
    await sleep(registration.heartbeatIntervalMs, undefined, { signal: options.signal });
    const space = await options.readSpace();
    const heartbeat: NodeHeartbeatRequest = { nodeId: options.nodeId, ...space };
    const headers = signNodeRequest(registration.secret, {
      method: 'POST',
      pathWithQuery: NODE_HEARTBEAT_PATH,
      expiresAt: Math.floor((options.clock.nowMs() + clockOffsetMs) / 1000) + lifetime,
    });
    const answer = await callGateway(options, NODE_HEARTBEAT_PATH, heartbeat, headers);
    if (answer.status === 401 || answer.status === 403 || answer.status === 404) {
      options.logger.warn('gateway no longer accepts this node, registering again', { status: answer.status });
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
  try {
    for (;;) {
      const registered = await registerWithGateway(options);
      options.onRegistered(registered.registration, registered.clockOffsetMs);
      options.logger.info('registered', {
        gateway: options.gatewayUrl, heartbeatIntervalMs: registered.registration.heartbeatIntervalMs, clockOffsetMs: registered.clockOffsetMs,
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
