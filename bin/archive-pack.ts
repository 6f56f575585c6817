/**
 * `shardgate archive pack <hls-or-dash-dir> [<out.zip>] [--upload s3://bucket/key]`: packs the folder into
 * one stored ZIP (see `src/archive/hls-pack.ts`), written to <out.zip> (through a temporary file,
 * renamed when complete) and/or streamed to an S3 endpoint as a resumable multipart upload.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ConfigError, formatHelp, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { planHlsPack, type PackPlan } from '../src/archive/hls-pack.ts';
import { S3ObjectClient } from '../src/archive/s3-object-client.ts';
import { S3MultipartClient } from '../src/archive/s3-multipart-client.ts';
import { MAX_PART_BYTES, MIN_PART_BYTES, abortUploads, uploadMultipart, type MultipartUploadOutcome } from '../src/archive/multipart-upload.ts';
import { formatS3Url, parseS3Url, type S3Location } from '../src/archive/s3-location.ts';
import { ENDPOINT_SPECS, loadEndpoint } from './archive-endpoint.ts';
import { createProgress, formatMegabytes, type Progress } from './archive-progress.ts';

const SPECS = {
  upload: { flag: 'upload', kind: 'string', description: 'also (or only) stream the archive to s3://bucket/key, as a resumable multipart upload' },
  partSize: { flag: 'part-size', env: 'SHARDGATE_ARCHIVE_PART_SIZE', kind: 'string', description: 'bytes per uploaded part, 5MiB to 5GiB (suffixes KiB, MiB, GiB)', defaultText: '64MiB' },
  parallel: { flag: 'parallel', env: 'SHARDGATE_ARCHIVE_PARALLEL', kind: 'string', description: 'parts uploaded at once (memory ≈ (parallel + 1) × part size)', defaultText: '4' },
  restart: { flag: 'restart', kind: 'boolean', description: 'abort the key\'s unfinished uploads first instead of resuming one' },
  abort: { flag: 'abort', kind: 'boolean', description: 'only abort the unfinished uploads of the --upload key, and exit' },
  name: { flag: 'name', kind: 'string', description: 'file name rewritten playlists link to', defaultText: 'the upload key\'s or <out.zip>\'s' },
  ...ENDPOINT_SPECS,
} as const satisfies SettingSpecs;

export const PACK_HELP = formatHelp(
  'shardgate archive pack <hls-or-dash-dir> [<out.zip>] [--upload s3://bucket/key] [options]',
  [
    'Packs an HLS and/or MPEG-DASH folder into one stored (uncompressed) ZIP, ZIP64 when needed: the master playlist, then',
    'each rendition\'s playlist and segments in playback order, then every other file (covers, subtitles,',
    'thumbnails), then rewritten playlists under _byterange/ (#EXT-X-BYTERANGE into the archive) and',
    '_range/ (<archive>?range=<offset>,<length> links). DASH: every .mpd, then each Representation\'s init and',
    'media segments, and rewritten MPDs under _byterange/ (SegmentList mediaRange into the archive) and _range/.',
    'Give <out.zip>, --upload, or both.',
    'SOURCE_DATE_EPOCH (seconds) fixes every member\'s timestamp, for reproducible archives.',
    '--upload sends a multipart upload straight from the packer (no local file needed), --parallel parts at',
    'a time, each with its CRC-32, retried up to 4 times. Interrupted (Ctrl-C, a crash, the network), the',
    'same command resumes it: the parts already stored are checked against the regenerated ones and only',
    'the rest are sent; a changed source is refused. Ctrl-C lets the parts in flight finish and leaves the',
    'upload to resume (a second Ctrl-C exits at once); --abort removes it.',
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
  readonly partSize: number;
  readonly parallel: number;
  readonly restart: boolean;
  readonly abort: boolean;
}

function parsePackCommand(argv: readonly string[], env: NodeJS.ProcessEnv): PackCommand | null {
  const { values, positionals, help } = readSettings(SPECS, argv, env);
  if (help) return null;
  const upload = values.upload ? parseS3Url(values.upload) : null;
  const abort = values.abort === 'true';
  if (abort) {
    if (upload === null) throw new ConfigError('--abort needs --upload s3://bucket/key');
    const client = new S3ObjectClient(loadEndpoint(values, env));
    return { folder: '', outFile: null, upload, archiveName: '', modifiedAt: null, client, partSize: 0, parallel: 0, restart: false, abort };
  }
  if (positionals.length < 1 || positionals.length > 2) throw new ConfigError('expected <hls-dir> [<out.zip>] (see --help)');
  const [folder, outFile = null] = positionals as [string, string?];
  const partSize = parseByteSize(values.partSize ?? '64MiB', '--part-size');
  if (partSize < MIN_PART_BYTES || partSize > MAX_PART_BYTES) throw new ConfigError(`--part-size must be 5MiB to 5GiB, got ${partSize} bytes`);
  const parallel = Number(values.parallel ?? '4');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new ConfigError(`--parallel must be an integer from 1 to 64, got "${values.parallel}"`);
  if (outFile === null && upload === null) throw new ConfigError('give an output file <out.zip>, --upload s3://bucket/key, or both');
  const archiveName = values.name ?? path.posix.basename(upload?.key ?? path.basename(outFile!));
  if (!/\.zip$/i.test(archiveName)) {
    throw new ConfigError(`the archive name "${archiveName}" must end in .zip: the gateway serves members of keys ending in .zip (use --name)`);
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  const modifiedAt = epoch ? new Date(Number(epoch) * 1000) : null;
  if (modifiedAt && Number.isNaN(modifiedAt.getTime())) throw new ConfigError(`SOURCE_DATE_EPOCH must be seconds since 1970, got "${epoch}"`);
  const client = upload ? new S3ObjectClient(loadEndpoint(values, env)) : null;
  return { folder, outFile, upload, archiveName, modifiedAt, client, partSize, parallel, restart: values.restart === 'true', abort: false };
}

/** `67108864`, `64MiB`, `512KiB`, `1GiB`. */
function parseByteSize(text: string, flag: string): number {
  const match = /^(\d+)(KiB|MiB|GiB)?$/.exec(text.trim());
  if (!match) throw new ConfigError(`${flag} must be bytes or a number with KiB, MiB or GiB, got "${text}"`);
  const unit = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[match[2] as 'KiB' | 'MiB' | 'GiB'] ?? 1;
  return Number(match[1]) * unit;
}

export async function runPack(argv: readonly string[]): Promise<void> {
  const command = parsePackCommand(argv, process.env);
  if (!command) {
    process.stdout.write(PACK_HELP);
    return;
  }
  if (command.abort) {
    const count = await abortUploads(new S3MultipartClient(command.client!), command.upload!);
    process.stdout.write(`aborted ${count} unfinished upload(s) of ${formatS3Url(command.upload!)}\n`);
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
      onProgress: ({ phase, bytesDone, bytesTotal }) => {
        // Packing straight into the upload: the upload's bar (bytes stored) is the one shown.
        if (phase === 'write' && command.upload && !command.outFile) return;
        progress.update(phase === 'scan' ? 'reading' : 'packing', bytesDone, bytesTotal);
      },
    });
    if (command.outFile) await writeFile(plan, command.outFile);
    const outcome = command.upload ? await upload(plan, command, progress) : null;
    progress.finish();
    const { summary } = plan;
    const targets = [command.outFile, command.upload && formatS3Url(command.upload)].filter(Boolean).join(' and ');
    const parts = outcome ? `; ${outcome.parts} parts, ${outcome.partsSent} sent${outcome.resumed ? `, ${outcome.partsReused} already there (resumed upload ${outcome.uploadId})` : ''}` : '';
    process.stdout.write(
      `packed ${summary.files} files (${summary.playlists} playlists + ${summary.rewrittenPlaylists} rewritten) into ${targets}: `
      + `${summary.archiveBytes} bytes (${formatMegabytes(summary.archiveBytes)})${summary.zip64 ? ', ZIP64' : ''} in ${((performance.now() - started) / 1000).toFixed(2)} s${parts}\n`,
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

/**
 * Streams the archive to the endpoint as a multipart upload: straight from the packer, or from the
 * file just written. The first SIGINT stops it after the parts in flight (resumable); a second exits.
 */
async function upload(plan: PackPlan, command: PackCommand, progress: Progress): Promise<MultipartUploadOutcome> {
  const multipart = new S3MultipartClient(command.client!);
  if (command.restart) await abortUploads(multipart, command.upload!);
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await uploadMultipart(command.outFile ? createReadStream(command.outFile) : plan.stream(), {
      client: multipart,
      location: command.upload!,
      size: plan.layout.size,
      partSize: command.partSize,
      parallel: command.parallel,
      contentType: 'application/zip',
      signal: interrupt.signal,
      onProgress: (done, total) => progress.update('upload', done, total),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
