/**
 * A real shardgate cluster for benchmarks (src/testing/local-cluster.ts, the launcher the tests
 * use too): only each process's output tail is kept, and the S3 access key says BENCH. Shard nodes
 * log warnings only (`--log-level warn`): their info line per request would go down a pipe to the
 * bench process, which is also the client being timed (nginx's access log is off in the benches,
 * and benches run the gateway with `--log-requests false`). Clean up with `close()` in a `finally` and `closeSync()` in
 * signal and exit handlers.
 */
import { LocalCluster, type LocalClusterOptions, type ManagedProcess } from '../src/testing/local-cluster.ts';

export { sleep } from '../src/testing/local-cluster.ts';

/** Only the tail of a process's output is kept, for error messages. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

export type BenchClusterOptions = Omit<LocalClusterOptions, 'label' | 'outputTailChars'> & { readonly nodes: number };
export type BenchProcess = ManagedProcess;

export class BenchCluster extends LocalCluster {
  constructor(options: BenchClusterOptions) {
    super({
      ...options,
      label: 'bench',
      outputTailChars: OUTPUT_TAIL_CHARS,
      nodeArgs: (index) => ['--log-level', 'warn', ...(options.nodeArgs?.(index) ?? [])],
    });
  }
}
