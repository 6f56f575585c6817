import { randomBytes } from 'node:crypto';
import { CtrStream } from '../../src/crypto/ctr-cipher.ts';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { ErasureProfile } from '../../src/erasure/profile.ts';
import type { SegmentRecord } from '../../src/meta/types.ts';

/** The first bytes of a body, and either the fact that it ended there or the whole body to stream on. */
export type BodyHead =
  | { readonly ended: true; readonly bytes: Buffer }
  | { readonly ended: false; readonly body: AsyncIterable<Uint8Array> };

/**
 * Reads `body` until it ends or more than `limitBytes` have arrived, whichever is first, so memory
 * holds at most `limitBytes` plus one piece. When it ended, `bytes` is all of it; otherwise `body`
 * yields everything again from the first byte (the pieces read, then the rest of the same iterator:
 * nothing is read twice, and observers tapped on `body` saw each piece once).
 */
export async function readBodyHead(body: AsyncIterable<Uint8Array>, limitBytes: number): Promise<BodyHead> {
  const iterator = body[Symbol.asyncIterator]();
  const pieces: Uint8Array[] = [];
  let length = 0;
  while (length <= limitBytes) {
    const next = await iterator.next();
    if (next.done) return { ended: true, bytes: Buffer.concat(pieces, length) };
    pieces.push(next.value);
    length += next.value.length;
  }
  return { ended: false, body: replayThenRest(pieces, iterator) };
}

async function* replayThenRest(pieces: Uint8Array[], iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let ended = false;
  try {
    while (pieces.length > 0) yield pieces.shift()!;
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A consumer that stops early closes the source, as a for-await over it would have.
    if (!ended) await iterator.return?.();
  }
}

/**
 * A whole tiny object as one inline segment: a fresh data key sealed by `keys` exactly as for a
 * segment on nodes (SSE-S3 master key ring or the SSE-C customer's key), the plaintext encrypted
 * with AES-256-CTR from offset 0, and only the ciphertext kept (`inlineCiphertext`), no shards.
 * `profile` is the bucket's, recorded as for any segment; no stripe of it is ever written.
 */
export function sealInlineSegment(plaintext: Uint8Array, keys: SegmentKeySealer, profile: ErasureProfile, partNumber: number): SegmentRecord {
  const id = randomBytes(16).toString('hex');
  const { cipherKey, encryption } = keys.seal(id);
  const ciphertext = new CtrStream(cipherKey.key, cipherKey.iv, 0).transform(plaintext);
  return {
    id, partNumber, index: 0, offset: 0, length: plaintext.length, profile, shards: [], encryption,
    inlineCiphertext: ciphertext,
  };
}
