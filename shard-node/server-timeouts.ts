import type { Server, ServerOptions } from 'node:http';

/** The request head must arrive within this. */
const HEADERS_TIMEOUT_MS = 20_000;
/** An idle keep-alive connection from the gateway is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A connection on which nothing moves for this long is dropped (uploads have their own, shorter, progress timeout). */
const IDLE_CONNECTION_TIMEOUT_MS = 120_000;

/** Given when the server is created: timeouts are checked every second (Node's default is every 30 s). */
export const NODE_SERVER_OPTIONS: ServerOptions = { connectionsCheckingInterval: 1_000 };

/**
 * The node server's timeouts: headers and keep-alive bounded, and no whole-request cap (Node's
 * default of 300 s would cut a 64 MiB shard upload on a slow link); a stalled upload body is
 * aborted by `abortStalledBody` instead.
 */
export function applyNodeServerTimeouts(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = 0;
  server.setTimeout(IDLE_CONNECTION_TIMEOUT_MS);
}
