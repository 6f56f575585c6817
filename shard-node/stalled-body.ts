import type { IncomingMessage } from 'node:http';
import { IncompleteBodyError } from './errors.ts';

/**
 * Aborts an upload whose body sends nothing for `milliseconds`: the connection's idle timeout is
 * set to it while the body streams (then put back), and a timeout destroys the request, which
 * fails the upload and removes its temp file. Returns the function that stops watching.
 */
export function abortStalledBody(incoming: IncomingMessage, milliseconds: number): () => void {
  const { socket } = incoming;
  const previous = socket.timeout ?? 0;
  const onTimeout = () => incoming.destroy(new IncompleteBodyError(`the upload sent no byte for ${milliseconds} ms`));
  socket.setTimeout(milliseconds);
  socket.on('timeout', onTimeout);
  return () => {
    socket.off('timeout', onTimeout);
    socket.setTimeout(previous);
  };
}
