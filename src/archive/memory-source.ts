/** Bytes in memory as a `ByteSource`: for tests and for archives already held whole. */
import type { Span } from '../span.ts';
import type { ByteSource } from './zip-reader.ts';

export function memorySource(bytes: Uint8Array): ByteSource & { reads: Span[] } {
  const reads: Span[] = [];
  return {
    size: bytes.length,
    reads,
    async read(span: Span) {
      reads.push(span);
      return bytes.subarray(span.offset, span.offset + span.length);
    },
  };
}
