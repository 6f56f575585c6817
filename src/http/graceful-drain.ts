/**
 * Draining a `node:http(s)` server before its process exits, shared by the gateway and the shard
 * node: stop accepting connections, let the requests in flight finish within a deadline, then cut
 * whatever is left. Requests that arrive on an open keep-alive connection meanwhile are the
 * server's to refuse (the gateway answers S3 XML 503, a node JSON 503); `markClosing` makes such
 * a response close its connection.
 */
import type { Server, ServerResponse } from 'node:http';

/** Counts a server's requests from their arrival until their response is closed (sent or abandoned). */
export class InFlightRequests {
  #count = 0;
  #idle: (() => void)[] = [];

  /** Counts every request `server` receives from now on. */
  attach(server: Server): void {
    server.on('request', (_request, response: ServerResponse) => this.track(response));
  }

  track(response: ServerResponse): void {
    this.#count++;
    response.once('close', () => {
      this.#count--;
      if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

  get count(): number {
    return this.#count;
  }

  /** Resolves when no request is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

export interface DrainReport {
  /** `drained`: every request in flight finished in time; `deadline`: some were cut. */
  readonly outcome: 'drained' | 'deadline';
  /** Requests in flight when the drain began. */
  readonly inFlightAtStart: number;
  /** Requests still in flight at the deadline, whose connections were cut. */
  readonly cut: number;
  readonly elapsedMs: number;
}

/**
 * Stops `server` accepting connections, waits up to `timeoutMs` for `inFlight` to reach zero, then
 * closes every connection left (idle keep-alive ones at once, busy ones only past the deadline).
 */
export async function drainServer(server: Server, inFlight: InFlightRequests, timeoutMs: number): Promise<DrainReport> {
  const started = performance.now();
  const inFlightAtStart = inFlight.count;
  server.close();
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    inFlight.whenIdle().then(() => 'drained' as const),
    new Promise<'deadline'>((resolve) => { timer = setTimeout(() => resolve('deadline'), timeoutMs); }),
  ]);
  clearTimeout(timer);
  const cut = outcome === 'deadline' ? inFlight.count : 0;
  server.closeAllConnections(); // drained: only idle keep-alive connections are left
  return { outcome, inFlightAtStart, cut, elapsedMs: Math.round(performance.now() - started) };
}

/** This response closes its connection after it is sent (`Connection: close`), so a draining server is not sent more. */
export function markClosing(response: ServerResponse): void {
  response.shouldKeepAlive = false;
}
