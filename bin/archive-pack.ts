/**
 * `shardgate archive pack <hls-dir> [<out.zip>] [--upload s3://bucket/key]`: packs the folder into
 * one stored ZIP (see `src/archive/hls-pack.ts`), written to <out.zip> (through a temporary file,
 * renamed when complete) and/or streamed to an S3 endpoint with a Content-Length known up front.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ConfigError, formatHelp, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { planHlsPack, type PackPlan } from '../src/archive/hls-pack.ts';
import { S3ObjectClient } from '../src/archive/s3-object-client.ts';
import { formatS3Url, parseS3Url, type S3Location } from '../src/archive/s3-location.ts';
import { ENDPOINT_SPECS, loadEndpoint } from './archive-endpoint.ts';
import { createProgress, formatMegabytes, type Progress } from './archive-progress.ts';

/** S3's single-PUT limit, which the gateway enforces too. */
const MAX_PUT_OBJECT_BYTES = 5 * 1024 ** 3;

const SPECS = {
  upload: { flag: 'upload', kind: 'string', description: 'also (or only) stream the archive to s3://bucket/key' },
  name: { flag: 'name', kind: 'string', description: 'file name rewritten playlists link to', defaultText: 'the upload key\'s or <out.zip>\'s' },
  ...ENDPOINT_SPECS,
} as const satisfies SettingSpecs;

export const PACK_HELP = formatHelp(
  'shardgate archive pack <hls-dir> [<out.zip>] [--upload s3://bucket/key] [options]',
  [
    'Packs an HLS folder into one stored (uncompressed) ZIP, ZIP64 when needed: the master playlist, then',
    'each rendition\'s playlist and segments in playback order, then every other file (covers, subtitles,',
    'thumbnails), then rewritten playlists under _byterange/ (#EXT-X-BYTERANGE into the archive) and',
    '_range/ (<archive>?range=<offset>,<length> links). Give <out.zip>, --upload, or both.',
    'SOURCE_DATE_EPOCH (seconds) fixes every member\'s timestamp, for reproducible archives.',
  ].join('\n'),
  SPECS,
);

interface PackCommand {
  readonly folder: string;
  readonly outFile: string | null;
  readonly upload: S3Location | null;
  readonly archiveName: string;
  readonly modifiedAt: Date | null;
  readonly client: S3ObjectClient | null;
}

function parsePackCommand(argv: readonly string[], env: NodeJS.ProcessEnv): PackCommand | null {
  const { values, positionals, help } = readSettings(SPECS, argv, env);
  if (help) return null;
  if (positionals.length < 1 || positionals.length > 2) throw new ConfigError('expected <hls-dir> [<out.zip>] (see --help)');
  const [folder, outFile = null] = positionals as [string, string?];
  const upload = values.upload ? parseS3Url(values.upload) : null;
  if (outFile === null && upload === null) throw new ConfigError('give an output file <out.zip>, --upload s3://bucket/key, or both');
  const archiveName = values.name ?? path.posix.basename(upload?.key ?? path.basename(outFile!));
  if (!/\.zip$/i.test(archiveName)) {
    throw new ConfigError(`the archive name "${archiveName}" must end in .zip: the gateway serves members of keys ending in .zip (use --name)`);
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  const modifiedAt = epoch ? new Date(Number(epoch) * 1000) : null;
  if (modifiedAt && Number.isNaN(modifiedAt.getTime())) throw new ConfigError(`SOURCE_DATE_EPOCH must be seconds since 1970, got "${epoch}"`);
  const client = upload ? new S3ObjectClient(loadEndpoint(values, env)) : null;
  return { folder, outFile, upload, archiveName, modifiedAt, client };
}

export async function runPack(argv: readonly string[]): Promise<void> {
  const command = parsePackCommand(argv, process.env);
  if (!command) {
    process.stdout.write(PACK_HELP);
    return;
  }
  const started = performance.now();
  const progress = createProgress(process.stderr);
  try {
    const plan = await planHlsPack({
      folder: command.folder,
      archiveName: command.archiveName,
      exclude: command.outFile ? [path.resolve(command.outFile), `${path.resolve(command.outFile)}.partial`] : [],
      modifiedAt: command.modifiedAt,
      onProgress: ({ phase, bytesDone, bytesTotal }) => progress.update(phase === 'scan' ? 'reading' : 'packing', bytesDone, bytesTotal),
    });
    if (command.upload && plan.layout.size > MAX_PUT_OBJECT_BYTES) {
      throw new Error(`the archive is ${plan.layout.size} bytes and --upload sends one PutObject, limited to 5 GiB; write <out.zip> and upload it with a multipart-capable client (aws s3 cp)`);
    }
    if (command.outFile) await writeFile(plan, command.outFile);
    if (command.upload) await upload(plan, command, progress);
    progress.finish();
    const { summary } = plan;
    const targets = [command.outFile, command.upload && formatS3Url(command.upload)].filter(Boolean).join(' and ');
    process.stdout.write(
      `packed ${summary.files} files (${summary.playlists} playlists + ${summary.rewrittenPlaylists} rewritten) into ${targets}: `
      + `${summary.archiveBytes} bytes (${formatMegabytes(summary.archiveBytes)})${summary.zip64 ? ', ZIP64' : ''} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
    );
  } finally {
    progress.finish();
  }
}

async function writeFile(plan: PackPlan, outFile: string): Promise<void> {
  const partial = `${outFile}.partial`;
  try {
    await pipeline(Readable.from(plan.stream()), createWriteStream(partial));
    await rename(partial, outFile);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Streams the archive to the endpoint: straight from the packer, or from the file just written. */
async function upload(plan: PackPlan, command: PackCommand, progress: Progress): Promise<void> {
  const total = plan.layout.size;
  const source: AsyncIterable<Uint8Array> = command.outFile ? createReadStream(command.outFile) : plan.stream();
  let sent = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of source) {
      sent += piece.length;
      if (command.outFile) progress.update('upload', sent, total);
      yield piece;
    }
  }
  await command.client!.put(command.upload!, counted(), total, 'application/zip');
}
