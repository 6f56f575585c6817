import { runGatewayCli } from '../gateway/main.ts';
import { runShardNodeCli } from '../shard-node/main.ts';
import { runArchiveCli } from './archive.ts';
import { runBackupCli } from './backup.ts';
import { runDevCli } from './dev.ts';
import { runEncryptExistingCli } from './encrypt-existing.ts';
import { runHealthCli } from './health.ts';
import { runKeysCli } from './keys.ts';
import { runNodeEarningsCli } from './node-earnings.ts';
import { runNodeStatusCli } from './node-status.ts';
import { runNodesCli } from './nodes.ts';
import { runPayoutsCli } from './payouts.ts';
import { runStatusCli } from './status.ts';
import { runUsageCli } from './usage.ts';

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<void> }> = {
  archive: { summary: 'archived HLS: pack a stream folder into one ZIP (and upload it), list a ZIP\'s members', run: runArchiveCli },
  backup: { summary: 'copy the metadata store to a file (SQLite online backup, or pg_dump); the master key file is separate', run: (argv) => runBackupCli('backup', argv) },
  dev: { summary: 'a local cluster: gateway on :9000 + 6 shard nodes, data under ./data', run: runDevCli },
  'encrypt-existing': { summary: 're-encrypt the objects stored before encryption existed, with progress', run: runEncryptExistingCli },
  gateway: { summary: 'the S3 gateway', run: runGatewayCli },
  health: { summary: 'exit 0 when a gateway or a shard node answers its health check (for container HEALTHCHECKs)', run: runHealthCli },
  keys: { summary: 'access keys of a running gateway (create, ls, revoke); the master key file (rotate-master, rewrap-master)', run: runKeysCli },
  node: {
    summary: 'a shard node that registers with a gateway; `node status`: what a node on this machine holds and last heard; `node earnings`: its own payout statement, asked with its key',
    run: (argv) => (argv[0] === 'earnings' ? runNodeEarningsCli(argv.slice(1)) : argv[0] === 'status' ? runNodeStatusCli(argv.slice(1)) : runShardNodeCli(argv)),
  },
  nodes: { summary: 'shard nodes of a running gateway: ls, show, drain, undrain, forget, disqualify; join tokens per operator', run: runNodesCli },
  payouts: { summary: 'what each shard node earned in a window (stored GB-month, verified egress, uptime, audits)', run: runPayoutsCli },
  restore: { summary: 'replace the metadata store with a backup (gateways stopped)', run: (argv) => runBackupCli('restore', argv) },
  status: { summary: 'one screen: gateway uptime, requests and errors, data stored, nodes, segments by healthy shards, repair (--watch)', run: runStatusCli },
  usage: { summary: 'an account\'s invoice, or where packing small objects saves money', run: runUsageCli },
};

const USAGE = `Usage: shardgate <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(16)} ${summary}`).join('\n')}

Run "shardgate <command> --help" for the options of a command.
`;

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(USAGE);
} else if (!COMMANDS[command]) {
  process.stderr.write(`shardgate: unknown command "${command}"\n\n${USAGE}`);
  process.exitCode = 2;
} else {
  await COMMANDS[command].run(rest);
}
