/** Fewer healthy shard nodes (or successful shard writes) than the write quorum needs. */
export class WriteQuorumError extends Error {
  readonly code = 'WRITE_QUORUM_NOT_MET';
  override name = 'WriteQuorumError';
  constructor(readonly needed: number, readonly available: number, readonly failures: readonly string[] = []) {
    super(`write needs ${needed} shard nodes, only ${available} available${failures.length ? `: ${failures.join('; ')}` : ''}`);
  }
}
