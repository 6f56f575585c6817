/**
 * One cluster for a whole test file: started in `test.before`, stopped in `test.after.always`
 * (hooks have no t.teardown, so the cleanups are collected here). Tests that share it run serially.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { startCluster, type ClusterOptions, type TestCluster } from './cluster.ts';

export function useSharedCluster(test: TestFn, options: ClusterOptions = {}, prepare?: (cluster: TestCluster) => Promise<void>): () => TestCluster {
  const cleanups: (() => unknown)[] = [];
  let cluster: TestCluster | undefined;
  test.before(async () => {
    const hook = { teardown: (cleanup: () => unknown) => { cleanups.push(cleanup); } } as unknown as ExecutionContext;
    cluster = await startCluster(hook, options);
    await prepare?.(cluster);
  });
  test.after.always(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return () => {
    if (!cluster) throw new Error('the shared cluster did not start');
    return cluster;
  };
}
