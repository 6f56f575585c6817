/**
 * `shardgate dev` starts its nodes with no secret on their command lines (`ps` shows argv to every
 * user), each node as its own operator with its own join token.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runShardgate } from '../src/testing/local-cluster.ts';
import { sleep } from './cluster.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));

/** Pids whose parent is `parentPid` (Linux /proc). */
function childrenOf(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parentPid) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

test('shardgate dev: node command lines carry no join token; every node is its own operator', async (t) => {
  // bin/cli.ts imports a command's module when it runs, so no earlier process compiled bin/dev.ts:
  // `dev --help` puts it in tsx's cache first, or the dev process below would start esbuild's
  // service (a third child) to compile it on a clean checkout.
  t.is((await runShardgate(['dev', '--help'])).code, 0);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shardgate-dev-'));
  const dev = spawn(process.execPath, ['--import', 'tsx', CLI, 'dev', '--nodes', '2', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  dev.stdout.setEncoding('utf8').on('data', (text: string) => { output += text; });
  dev.stderr.setEncoding('utf8').on('data', (text: string) => { output += text; });
  let nodePids: number[] = [];
  t.teardown(async () => {
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill('SIGTERM');
      await once(dev, 'exit');
    }
    for (const pid of nodePids) {
      try {
        process.kill(pid, 'SIGKILL'); // only if dev left it behind
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('shardgate is running')) {
    if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`dev did not start:\n${output}`);
    await sleep(100);
  }
  const endpoint = output.match(/endpoint\s+(http:\/\/\S+)/)![1]!;
  const adminToken = output.match(/admin token\s+(\S+)/)![1]!;
  nodePids = childrenOf(dev.pid!);
  t.is(nodePids.length, 2);
  for (const pid of nodePids) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    t.true(argv.includes('node'), argv.join(' '));
    t.false(argv.some((arg) => arg.startsWith('--join-token')), argv.join(' '));
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const token = environ.find((entry) => entry.startsWith('SHARDGATE_JOIN_TOKEN='))!.slice('SHARDGATE_JOIN_TOKEN='.length);
    t.regex(token, /^sgjt_/);
    t.false(argv.some((arg) => arg.includes(token)));
  }
  const admin = async <T>(adminPath: string) => (await (await fetch(`${endpoint}${adminPath}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as T;
  const { nodes } = await admin<{ nodes: { operatorId: string; online: boolean }[] }>('/_/admin/nodes');
  t.is(nodes.filter((node) => node.online).length, 2);
  t.is(new Set(nodes.map((node) => node.operatorId)).size, 2, 'one operator per node');
  const { tokens } = await admin<{ tokens: { id: string; operator: string }[] }>('/_/admin/join-tokens');
  t.deepEqual(tokens.filter((token) => token.id.startsWith('dev-node-')).map((token) => token.operator).sort(), ['dev-node-1', 'dev-node-2']);
});
