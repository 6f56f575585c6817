/**
 * `shardgate archive <pack|ls|verify>`: archived HLS on the command line. Every failure is one line on
 * stderr (`shardgate archive pack: …`); exit status 2 for a usage error, 1 for anything else.
 */
import { ConfigError } from '../src/config/flags.ts';
import { runLs } from './archive-ls.ts';
import { runPack } from './archive-pack.ts';
import { runVerify } from './archive-verify.ts';

const SUBCOMMANDS: Record<string, { summary: string; run: (argv: readonly string[]) => Promise<void> }> = {
  pack: { summary: 'pack an HLS folder into one stored ZIP (and/or stream it to s3://bucket/key)', run: runPack },
  ls: { summary: 'list the members of a ZIP file or s3://bucket/key: offsets, sizes, CRC-32', run: runLs },
  verify: { summary: 'read every member of a ZIP file or s3://bucket/key and check its CRC-32', run: runVerify },
};

const USAGE = `Usage: shardgate archive <subcommand> [options]

Subcommands:
${Object.entries(SUBCOMMANDS).map(([name, { summary }]) => `  ${name.padEnd(6)} ${summary}`).join('\n')}

Run "shardgate archive <subcommand> --help" for its options.
`;

export async function runArchiveCli(argv: readonly string[]): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const entry = SUBCOMMANDS[subcommand];
  if (!entry) {
    process.stderr.write(`shardgate archive: unknown subcommand "${subcommand}"\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  try {
    await entry.run(rest);
  } catch (error) {
    process.stderr.write(`shardgate archive ${subcommand}: ${oneLine(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}

/** The error's message on one line; a system error (ENOENT, ECONNREFUSED) with its code and path. */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const system = error as NodeJS.ErrnoException;
  let message = error.message;
  if (system.code === 'ECONNREFUSED') message = `cannot connect to the endpoint (${error.message})`;
  if (error.name === 'AggregateError' && 'errors' in error) message = (error as AggregateError).errors.map((inner: Error) => inner.message).join('; ') || message;
  return message.replace(/\s*\n\s*/g, ' ');
}
