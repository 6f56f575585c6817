import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';

/** Reads a small request body (XML configuration) with a hard size limit. */
export async function readSmallBody(request: S3Request, maxBytes: number): Promise<string> {
  const incoming = request.c.env?.incoming;
  const parts: Buffer[] = [];
  let length = 0;
  const source: AsyncIterable<Uint8Array> = incoming ?? (request.c.req.raw.body ?? []);
  for await (const piece of source) {
    length += piece.length;
    if (length > maxBytes) throw new S3Error('EntityTooLarge', { message: `The request body may be at most ${maxBytes} bytes.` });
    parts.push(Buffer.from(piece));
  }
  request.log.bytesIn += length;
  return Buffer.concat(parts).toString('utf8');
}
