import test from 'ava';
import {
  BLAKE3_LENGTH, Blake3Hasher, blake3, blake3BackendName, chooseBlake3Backend, loadNativeBlake3, wasmBlake3, type Blake3Backend,
} from './blake3.ts';

const native = loadNativeBlake3();
/** Both implementations must give the official digests; the native one must load on linux-x64 (CI's platform). */
const BACKENDS: readonly Blake3Backend[] = native ? [native, wasmBlake3] : [wasmBlake3];

/** The BLAKE3 test-vector input: bytes 0, 1, …, 250, 0, 1, … */
function vectorInput(length: number): Uint8Array {
  const input = new Uint8Array(length);
  for (let i = 0; i < length; i++) input[i] = i % 251;
  return input;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * First 32 bytes of "hash" for each case of the official vectors, BLAKE3-team/BLAKE3
 * test_vectors/test_vectors.json (commit 2f6f56f3477321c9e4742f1c863e45f2cfcbfb5e).
 */
const OFFICIAL_VECTORS: readonly [inputLength: number, hashHex: string][] = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
  [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  [2049, '5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030'],
  [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
  [3073, '7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3'],
  [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
  [4097, '9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995'],
  [5120, '9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833'],
  [5121, '628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff'],
  [6144, '3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205'],
  [6145, 'f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f'],
  [7168, '61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a'],
  [7169, 'a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817'],
  [8192, 'aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63'],
  [8193, 'bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b'],
  [16384, 'f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4'],
  [31744, '62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47'],
  [102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085'],
];

const officialVector = test.macro({
  exec(t, backend: Blake3Backend, inputLength: number, hashHex: string) {
    t.is(hex(backend.hash(vectorInput(inputLength))), hashHex);
  },
  title: (_provided, backend: Blake3Backend, inputLength: number) => `${backend.name}: official vector, input_len ${inputLength}`,
});

for (const backend of BACKENDS) {
  for (const [inputLength, hashHex] of OFFICIAL_VECTORS) test(officialVector, backend, inputLength, hashHex);
}

test('the native backend loads on linux-x64 and is the one in use', (t) => {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    t.pass(`no prebuilt binary is promised on ${process.platform}-${process.arch}`);
    return;
  }
  t.truthy(native, '@napi-rs/blake-hash did not load');
  t.is(blake3BackendName, process.env.SHARDGATE_BLAKE3 === 'wasm' ? 'wasm' : 'native');
});

test('without a loadable native module the wasm backend is chosen', (t) => {
  const missing = loadNativeBlake3(() => { throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' }); });
  t.is(missing, null);
  t.is(chooseBlake3Backend(undefined, () => missing).name, 'wasm');
  t.is(chooseBlake3Backend('wasm', () => native).name, 'wasm');
  t.is(loadNativeBlake3(() => ({}) as never), null, 'a module without the expected exports is not used');
});

test('both backends agree on random inputs of every small length and around chunk sizes', (t) => {
  const lengths = [...Array.from({ length: 200 }, (_, i) => i), 65_535, 65_536, 65_537, 300_001];
  for (const length of lengths) {
    const input = vectorInput(length).map((byte, i) => (byte * 31 + i) & 0xff);
    const digests = BACKENDS.map((backend) => hex(backend.hash(input)));
    const incremental = BACKENDS.map((backend) => {
      const hasher = new Blake3Hasher(backend);
      for (let offset = 0; offset < length; offset += 7_777) hasher.update(input.subarray(offset, offset + 7_777));
      return hex(hasher.digest());
    });
    t.true(new Set([...digests, ...incremental]).size === 1, `length ${length}`);
  }
});

test('the official table has all 22 cases', (t) => {
  t.is(OFFICIAL_VECTORS.length, 22);
});

test('output is 32 bytes', (t) => {
  t.is(BLAKE3_LENGTH, 32);
  t.is(blake3(new Uint8Array(5)).length, 32);
});

test('incremental hasher matches the vectors when fed in uneven pieces', (t) => {
  for (const [backend, [inputLength, hashHex]] of BACKENDS.flatMap((b) => OFFICIAL_VECTORS.map((v) => [b, v] as const))) {
    const input = vectorInput(inputLength);
    const hasher = new Blake3Hasher(backend);
    for (let offset = 0, step = 1; offset < input.length; offset += step, step = step * 3 + 1) {
      hasher.update(input.subarray(offset, offset + step));
    }
    t.is(hex(hasher.digest()), hashHex, `${backend.name} input_len ${inputLength}`);
  }
});

test('a >1 MiB single update equals the same input hashed in pieces', (t) => {
  const length = (1 << 20) + 12_345;
  const input = vectorInput(length);
  const oneShot = blake3(input);
  const single = new Blake3Hasher().update(input).digest();
  const pieces = new Blake3Hasher();
  for (let offset = 0; offset < length; offset += 65_537) pieces.update(input.subarray(offset, offset + 65_537));
  t.is(hex(single), hex(oneShot));
  t.is(hex(pieces.digest()), hex(oneShot));
});

test('hashing a subarray view hashes only the view', (t) => {
  const input = vectorInput(4096);
  const backing = new Uint8Array(10_000);
  backing.set(input, 1000);
  t.is(hex(blake3(backing.subarray(1000, 1000 + 4096))), hex(blake3(input)));
});

test('a hasher cannot be used after digest or dispose', (t) => {
  const digested = new Blake3Hasher();
  digested.digest();
  t.throws(() => digested.update(new Uint8Array(1)));
  t.throws(() => digested.digest());
  const disposed = new Blake3Hasher();
  disposed.dispose();
  disposed.dispose(); // idempotent
  t.throws(() => disposed.update(new Uint8Array(1)));
});
