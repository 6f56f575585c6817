import type { GatewayContext } from '../context.ts';

/**
 * An AbortSignal that fires when the client goes away before its response was sent: a copy has
 * no request body whose end could tell, so the response's socket does. `release` detaches it.
 */
export function abortOnHangUp(c: GatewayContext): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const outgoing = c.env.outgoing;
  const onClose = () => { if (!outgoing.writableEnded) abort.abort(); };
  outgoing.once('close', onClose);
  return { signal: abort.signal, release: () => outgoing.off('close', onClose) };
}
