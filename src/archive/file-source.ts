/** A local file as a `ByteSource` (positional reads through one file handle). */
import { open, type FileHandle } from 'node:fs/promises';
import type { Span } from '../span.ts';
import type { ByteSource } from './zip-reader.ts';

export interface FileSource extends ByteSource {
  close(): Promise<void>;
}

export async function openFileSource(filePath: string): Promise<FileSource> {
  const handle: FileHandle = await open(filePath, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read({ offset, length }: Span): Promise<Uint8Array> {
      const bytes = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return bytes.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}
