/** `shardgate nodes <subcommand>`: operator commands about shard nodes of a running gateway. */
import { runNodeTokensCli } from './node-tokens.ts';

const SUBCOMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<void> }> = {
  tokens: { summary: 'join tokens per operator: create, ls, revoke', run: runNodeTokensCli },
};

const USAGE = `Usage: shardgate nodes <subcommand> [options]

Subcommands:
${Object.entries(SUBCOMMANDS).map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`).join('\n')}

Run "shardgate nodes <subcommand> --help" for its options.
`;

export async function runNodesCli(argv: string[]): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const entry = SUBCOMMANDS[subcommand];
  if (!entry) {
    process.stderr.write(`shardgate nodes: unknown subcommand "${subcommand}" (see --help)\n`);
    process.exitCode = 2;
    return;
  }
  await entry.run(rest);
}
