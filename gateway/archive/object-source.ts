import type { ObjectVersion } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import type { ByteSource } from '../../src/archive/zip-reader.ts';
import type { GatewayDeps } from '../context.ts';
import { readObjectRange } from '../read/object-reader.ts';
import type { ReadReport } from '../read/segment-reader.ts';

/**
 * One object version as a `ByteSource` for the ZIP reader: each read is a verified range read
 * (shard windows, parity fallback) collected into one buffer. Used only for small records (the
 * end records, the central directory, local headers), never for member data.
 */
export function objectByteSource(deps: GatewayDeps, version: ObjectVersion, report: ReadReport, signal: AbortSignal): ByteSource {
  return {
    size: version.size,
    async read(span: Span): Promise<Uint8Array> {
      const bytes = Buffer.allocUnsafe(span.length);
      let filled = 0;
      for await (const piece of readObjectRange(deps, version, span, report, signal)) {
        bytes.set(piece, filled);
        filled += piece.length;
      }
      return bytes.subarray(0, filled);
    },
  };
}
