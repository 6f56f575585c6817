import type { Writable } from 'node:stream';

/**
 * Writes one buffer and resolves once the stream can take more (back-pressure), or rejects if
 * the stream is closed or fails first — a dead upload never leaves the writer waiting for 'drain'.
 */
export function writeWithBackpressure(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.reject(new Error('upload stream is closed'));
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = () => { cleanup(); resolve(); };
    const onClose = () => { cleanup(); reject(new Error('upload stream closed')); };
    const onError = (error: Error) => { cleanup(); reject(error); };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', onError);
  });
}
