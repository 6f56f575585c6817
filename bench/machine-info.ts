/** What a benchmark result must say about where it ran: CPUs, memory, load, Node, git commit. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function machineInfo() {
  const cpus = os.cpus();
  let commit: string | null = null;
  let dirty: boolean | null = null;
  try {
    const cwd = path.dirname(fileURLToPath(import.meta.url));
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch { /* not a git checkout */ }
  return {
    cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), loadAverage: os.loadavg(),
    node: process.version, platform: os.platform(), release: os.release(), arch: os.arch(), git: { commit, dirty },
  };
}
