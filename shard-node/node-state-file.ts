/**
 * `<data-dir>/node-state.json`: what the running node last heard from its gateway, for
 * `shardgate node status` on the operator's machine (which may run while the node is down). The
 * node rewrites it (temp file + rename, so a reader never sees half a file) at start, at each
 * registration and refusal, after each heartbeat, and when it stops. It holds no secret.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ScrubPassReport } from './scrubber.ts';
export const NODE_STATE_FILE = 'node-state.json';

export interface NodeStateSnapshot {
  readonly nodeId: string;
  readonly url: string;
  readonly zone: string;
  readonly gatewayUrl: string;
  readonly pid: number;
  readonly startedAt: string;
  /** Set when the node stopped (signal or refusal); null while it runs. */
  readonly stoppedAt: string | null;
  /** The `--capacity` given, or null for the disk's size. */
  readonly configuredCapacityBytes: number | null;
  readonly registration: {
    readonly state: 'registering' | 'registered' | 'refused' | 'stopped';
    readonly at: string;
    readonly operatorId?: string;
    readonly secretEpoch?: number;
    /** Why the gateway refused the node. */
    readonly message?: string;
  };
  readonly lastHeartbeat: { readonly at: string; readonly ok: boolean; readonly status?: number; readonly error?: string } | null;
  /** The node's own scrub: its settings (0 bytes/s: off) and the last pass it finished. */
  readonly scrub?: {
    readonly bytesPerSecond: number;
    readonly passEveryMs: number;
    readonly lastPass: ScrubPassReport | null;
  };
}

/** Keeps the file in step with the node: writes are serialised, and a burst collapses into its last state. */
export class NodeStateRecorder {
  #state: NodeStateSnapshot;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(private readonly dataDir: string, initial: NodeStateSnapshot, private readonly onError: (error: Error) => void) {
    this.#state = initial;
    this.#schedule();
  }

  get state(): NodeStateSnapshot {
    return this.#state;
  }

  update(change: Partial<NodeStateSnapshot>): void {
    this.#state = { ...this.#state, ...change };
    this.#schedule();
  }

  /** Resolves once the latest state is on disk. */
  async flushed(): Promise<void> {
    while (this.#dirty) await this.#writing;
    await this.#writing;
  }

  #schedule(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      const file = path.join(this.dataDir, NODE_STATE_FILE);
      const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, `${JSON.stringify(this.#state, null, 2)}\n`, { mode: 0o644 });
        await rename(temp, file);
      } catch (error) {
        this.onError(error as Error);
      }
    });
  }
}

/** The file's snapshot, or null when the node never wrote one (never started with this data dir). */
export async function readNodeStateFile(dataDir: string): Promise<NodeStateSnapshot | null> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, NODE_STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  return JSON.parse(text) as NodeStateSnapshot;
}
