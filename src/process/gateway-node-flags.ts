/**
 * How the gateway process is started, wherever it is launched: `npm start` (package.json),
 * docker-compose.yml's gateway services (`NODE_OPTIONS` and `MALLOC_ARENA_MAX` in their
 * environment), and the clusters of the tests and benches (src/testing/local-cluster.ts).
 * `gateway-node-flags.test.ts` checks that the first two say the same as this file; README
 * "Decisions" has the measurements (idle and at 16 concurrent range reads).
 */

/**
 * Node.js (V8) flags. `--max-semi-space-size=4` (MiB): V8's young generation grows to two 16 MiB
 * semi-spaces by default and keeps them (32 MiB resident, idle or busy; under tsx the module
 * loader's thread has its own). With 4 MiB the idle gateway is ~17 MiB smaller. What the gateway
 * allocates per request is mostly Buffers, whose bytes live outside the V8 heap, so the smaller
 * young generation costs startup ~5% more CPU and reads nothing measurable.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * Environment of the gateway process. `MALLOC_ARENA_MAX=2` (glibc; ignored elsewhere): glibc gives
 * threads their own malloc arenas (up to 8 per core), and Buffer memory freed by V8's background
 * threads stays resident in each of them; two arenas cut ~15 MiB idle and ~20 MiB at 16
 * concurrent range reads.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
