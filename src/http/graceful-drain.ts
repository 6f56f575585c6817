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
 *
 * With `settled` (work that continues in a later request, such as a node's commit of an upload it
 * received) the server keeps listening until `settled` resolves with nothing in flight, so the
 * follow-up request can arrive on a new connection; the caller refuses everything else meanwhile.
 */
export async function drainServer(server: Server, inFlight: InFlightRequests, timeoutMs: number, settled?: () => Promise<void>): Promise<DrainReport> {
  const started = performance.now();
  const inFlightAtStart = inFlight.count;
  // (Node ≥ 19 also closes the connections idle at that moment; busy ones stay.)
  if (!settled) server.close();
  const idle = async (): Promise<'drained'> => {
    for (;;) {
      await inFlight.whenIdle();
      await settled?.();
      if (inFlight.count === 0) return 'drained';
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    idle(),
    new Promise<'deadline'>((resolve) => { timer = setTimeout(() => resolve('deadline'), timeoutMs); }),
  ]);
  clearTimeout(timer);
  const cut = outcome === 'deadline' ? inFlight.count : 0;
  if (settled) server.close();
  server.closeAllConnections(); // drained: only idle keep-alive connections are left
  return { outcome, inFlightAtStart, cut, elapsedMs: Math.round(performance.now() - started) };
}

/** This response closes its connection after it is sent (`Connection: close`), so a draining server is not sent more. */
export function markClosing(response: ServerResponse): void {
  response.shouldKeepAlive = false;
}
