// Each command's module is imported when that command runs: a shard node or a one-shot admin
// command does not load the gateway (or the other commands) it never uses, which is most of a
// process's start-up time.
const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<void> }> = {
  archive: { summary: 'archived HLS: pack a stream folder into one ZIP (and upload it), list a ZIP\'s members', run: async (argv) => (await import('./archive.ts')).runArchiveCli(argv) },
  backup: { summary: 'copy the metadata store to a file (SQLite online backup, or pg_dump); the master key file is separate', run: async (argv) => (await import('./backup.ts')).runBackupCli('backup', argv) },
  dev: { summary: 'a local cluster: gateway on :9000 + 6 shard nodes, data under ./data', run: async (argv) => (await import('./dev.ts')).runDevCli(argv) },
  'encrypt-existing': { summary: 're-encrypt the objects stored before encryption existed, with progress', run: async (argv) => (await import('./encrypt-existing.ts')).runEncryptExistingCli(argv) },
  gateway: { summary: 'the S3 gateway', run: async (argv) => (await import('../gateway/main.ts')).runGatewayCli(argv) },
  health: { summary: 'exit 0 when a gateway or a shard node answers its health check (for container HEALTHCHECKs)', run: async (argv) => (await import('./health.ts')).runHealthCli(argv) },
  keys: { summary: 'access keys of a running gateway (create, ls, revoke); the master key file (rotate-master, rewrap-master)', run: async (argv) => (await import('./keys.ts')).runKeysCli(argv) },
  node: {
    summary: 'a shard node that registers with a gateway; `node status`: what a node on this machine holds and last heard; `node earnings`: its own payout statement, asked with its key',
    run: async (argv) => (argv[0] === 'earnings' ? (await import('./node-earnings.ts')).runNodeEarningsCli(argv.slice(1))
      : argv[0] === 'status' ? (await import('./node-status.ts')).runNodeStatusCli(argv.slice(1))
        : (await import('../shard-node/main.ts')).runShardNodeCli(argv)),
  },
  nodes: { summary: 'shard nodes of a running gateway: ls, show, drain, undrain, forget, disqualify; join tokens per operator', run: async (argv) => (await import('./nodes.ts')).runNodesCli(argv) },
  payouts: { summary: 'what each shard node earned in a window (stored GB-month, verified egress, uptime, audits)', run: async (argv) => (await import('./payouts.ts')).runPayoutsCli(argv) },
  restore: { summary: 'replace the metadata store with a backup (gateways stopped)', run: async (argv) => (await import('./backup.ts')).runBackupCli('restore', argv) },
  status: { summary: 'one screen: gateway uptime, requests and errors, data stored, nodes, segments by healthy shards, repair (--watch)', run: async (argv) => (await import('./status.ts')).runStatusCli(argv) },
  usage: { summary: 'an account\'s invoice, or where packing small objects saves money', run: async (argv) => (await import('./usage.ts')).runUsageCli(argv) },
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
