/** A committed shard file opened for reading, over a descriptor the store or the descriptor cache owns. */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { finished, Readable } from 'node:stream';
import type { Span } from '../src/span.ts';
import { ShardNotFoundError } from './errors.ts';

/** A committed shard opened for reading: `read` spans, or `stream` one (the stream then releases the shard). */
export interface OpenShard {
  readonly size: number;
  /** Exactly the bytes of `span` in one buffer; fails if the file is shorter. Leaves the file open. */
  read(span: Span): Promise<Buffer>;
  /** The same bytes as `read`, with blocking reads on the calling thread (no thread-pool round trip). */
  readBlocking(span: Span): Buffer;
  /**
   * Streams `span` (or the whole file) in positional reads of `readBytes` (default 64 KiB) and
   * releases the shard when the stream ends, fails or is destroyed.
   */
  stream(span: Span | null, readBytes?: number): Readable;
  /** Releases the shard when no stream was made (the store's own open closes its descriptor; the cache keeps it). */
  close(): Promise<void>;
}

/** A shard file opened for reading, with what `fstat` said of it: the descriptor cache compares (dev, ino) with the path's. */
export interface OpenedShardFile {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

/** Opens `file`, the committed file of `shardId`, and `fstat`s it; ShardNotFoundError when there is none. The handle is the caller's to close. */
export async function openShardFile(shardId: string, file: string): Promise<OpenedShardFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new ShardNotFoundError(shardId);
    throw error;
  }
  try {
    const { dev, ino, size } = await handle.stat();
    return { handle, dev, ino, size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * An OpenShard reading `handle` (a file of `size` bytes). `release` is called once, when the
 * caller closes it or when the stream made from it ends or is destroyed; the handle itself is the
 * caller's (the store closes it in `release`, the descriptor cache keeps it open).
 */
export function shardOverHandle(shardId: string, handle: FileHandle, size: number, release: () => Promise<void>): OpenShard {
  let released: Promise<void> | null = null;
  const releaseOnce = () => (released ??= release());
  return {
    size,
    read: async (span) => {
      const loop = spanReads(shardId, span);
      let step = loop.next();
      while (!step.done) step = loop.next((await handle.read(...step.value)).bytesRead);
      return step.value;
    },
    readBlocking: (span) => {
      const loop = spanReads(shardId, span);
      let step = loop.next();
      while (!step.done) step = loop.next(readSync(handle.fd, ...step.value));
      return step.value;
    },
    stream: (span, readBytes = 64 * 1024) => {
      const start = span?.offset ?? 0;
      const length = span?.length ?? size;
      if (length === 0) {
        void releaseOnce().catch(() => {});
        return createEmptyStream();
      }
      const stream = positionalStream(shardId, handle, start, length, readBytes);
      // Released when the stream ends, fails or is destroyed.
      finished(stream, () => { void releaseOnce().catch(() => {}); });
      return stream;
    },
    close: releaseOnce,
  };
}

/** One positional read: into `buffer` at `offset`, `length` bytes from file position `position`. */
type PositionalRead = [buffer: Buffer, offset: number, length: number, position: number];

/**
 * The one read loop of `read` and `readBlocking`, without the reads: yields each positional read
 * still needed to fill a buffer with `span`, is sent the bytes that read returned, and returns the
 * full buffer. A read of 0 bytes before the end means the file is shorter than the span.
 */
function* spanReads(shardId: string, { offset, length }: Span): Generator<PositionalRead, Buffer, number> {
  const buffer = Buffer.allocUnsafe(length);
  for (let filled = 0; filled < length;) {
    const bytesRead = yield [buffer, filled, length - filled, offset + filled];
    if (bytesRead === 0) throw new Error(`shard ${shardId} ended ${length - filled} bytes early`);
    filled += bytesRead;
  }
  return buffer;
}

/**
 * `length` bytes of `handle` from `start`, in positional reads of `readBytes`. Not an fs
 * ReadStream: that one closes its descriptor when destroyed, and a cached descriptor must outlive
 * a client that hangs up.
 */
function positionalStream(shardId: string, handle: FileHandle, start: number, length: number, readBytes: number): Readable {
  let position = start;
  const end = start + length;
  return new Readable({
    highWaterMark: readBytes,
    read() {
      const size = Math.min(readBytes, end - position);
      if (size <= 0) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafe(size);
      handle.read(buffer, 0, size, position).then(({ bytesRead }) => {
        if (bytesRead === 0) throw new Error(`shard ${shardId} ended ${end - position} bytes early`);
        position += bytesRead;
        this.push(bytesRead === size ? buffer : buffer.subarray(0, bytesRead));
      }).catch((error: unknown) => this.destroy(error as Error));
    },
  });
}

function createEmptyStream(): Readable {
  return Readable.from([]);
}
