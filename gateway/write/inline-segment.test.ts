import test from 'ava';
import { randomBytes } from 'node:crypto';
import { CtrStream } from '../../src/crypto/ctr-cipher.ts';
import { MasterKeyRing } from '../../src/crypto/segment-keys.ts';
import { readBodyHead, sealInlineSegment } from './inline-segment.ts';

const PROFILE = { dataShards: 4, parityShards: 2, chunkSize: 4096 };

/** A body of `sizes` pieces of recognisable bytes that records how it was consumed. */
function pieces(sizes: readonly number[]) {
  const state = { pulled: 0, closed: false };
  let next = 0;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for (const size of sizes) {
        state.pulled++;
        yield Uint8Array.from({ length: size }, () => next++ & 0xff);
      }
    } finally {
      state.closed = true;
    }
  }
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return { body: body(), state, all: Uint8Array.from({ length: total }, (_, i) => i & 0xff) };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const piece of source) out.push(piece);
  return Buffer.concat(out);
}

test('a body that ends within the limit is returned whole (the limit itself included)', async (t) => {
  for (const sizes of [[], [4096], [1000, 3000, 96], [1]]) {
    const { body, all } = pieces(sizes);
    const head = await readBodyHead(body, 4096);
    t.true(head.ended);
    if (head.ended) t.deepEqual(head.bytes, Buffer.from(all));
  }
});

test('past the limit nothing more is read than needed, and the body streams on from its first byte', async (t) => {
  const { body, state, all } = pieces([3000, 1097, 70_000, 5]);
  const head = await readBodyHead(body, 4096);
  t.false(head.ended);
  t.is(state.pulled, 2, 'stopped at 4097 bytes');
  if (!head.ended) t.deepEqual(await collect(head.body), Buffer.from(all));
  t.is(state.pulled, 4);
});

test('a consumer that stops early closes the source', async (t) => {
  const { body, state } = pieces([5000, 5000, 5000]);
  const head = await readBodyHead(body, 4096);
  if (head.ended) return t.fail();
  for await (const _ of head.body) break;
  t.true(state.closed);
});

test('an inline segment holds ciphertext under its own sealed key; the ring opens it back to the plaintext', (t) => {
  const ring = new MasterKeyRing([{ id: 'mk1', key: randomBytes(32) }]);
  const plaintext = Buffer.alloc(4096, 'inline-plaintext');
  const segment = sealInlineSegment(plaintext, ring, PROFILE, 1);
  t.like(segment, { partNumber: 1, index: 0, offset: 0, length: 4096, shards: [] });
  t.is(segment.encryption!.keyId, 'mk1');
  const ciphertext = Buffer.from(segment.inlineCiphertext!);
  t.is(ciphertext.indexOf('inline-plaintext'), -1);
  const { key, iv } = ring.open(segment.id, segment.encryption!);
  t.deepEqual(new CtrStream(key, iv, 0).transform(ciphertext), plaintext);
  t.deepEqual(new CtrStream(key, iv, 4000).transform(ciphertext.subarray(4000)), plaintext.subarray(4000), 'seekable like any segment');
  t.not(sealInlineSegment(plaintext, ring, PROFILE, 1).id, segment.id);
});
