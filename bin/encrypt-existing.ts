/**
 * `shardgate encrypt-existing`: re-encrypts, through a running gateway's admin API
 * (`/_/admin/encrypt-existing`, gateway/reencrypt/), every segment stored in the clear before
 * encryption existed. The command drives the job a page at a time and a segment per request, so
 * it can be interrupted anywhere and run again: encrypted segments are not listed again.
 */
import { ConfigError, parseBoolean, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { AdminRequestError, adminRequest, type AdminEndpoint } from './admin-client.ts';
import { runAdminCommand, type AdminCommand } from './admin-command.ts';
import { formatMegabytes } from './archive-progress.ts';
import { formatDuration } from './status-format.ts';

interface Totals { readonly segments: number; readonly bytes: number }
interface ListedPage {
  readonly segments: readonly { segmentId: string; cursor: number; placementVersion: number; length: number }[];
  readonly nextCursor: number;
}
type Outcome =
  | { outcome: 'encrypted'; segmentId: string; newSegmentId: string; bytes: number; references: number; objectsEncrypted: number }
  | { outcome: 'gone' | 'changed'; segmentId: string };

export interface ReencryptionSummary {
  dryRun: boolean;
  /** In the clear when the run started. */
  found: Totals;
  encrypted: Totals;
  objectsEncrypted: number;
  skipped: { gone: number; changed: number };
  failed: { segmentId: string; message: string }[];
  /** Still in the clear when the run ended (skipped, failed, or written meanwhile by an old gateway). */
  left: Totals;
  seconds: number;
}

const COMMAND: AdminCommand<{ batch: SettingSpecs[string]; dryRun: SettingSpecs[string] }> = {
  name: 'encrypt-existing',
  usage: 'shardgate encrypt-existing [--batch N] [--dry-run] [--json]',
  summary: 'Re-encrypts the objects stored before encryption existed (segments with no data key), one\n'
    + 'segment at a time: each is read, written again encrypted under a new id, and swapped in for\n'
    + 'every object that shares it. Safe to interrupt and run again. Progress goes to stderr.',
  specs: {
    batch: { flag: 'batch', kind: 'integer', description: 'segments listed per admin call (1-1000)', defaultText: '100' },
    dryRun: { flag: 'dry-run', kind: 'boolean', description: 'only count what is stored in the clear' },
  },
  async run({ values: v, positionals, endpoint, json, print }) {
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    const batch = v.batch === undefined ? 100 : parseInteger('--batch', v.batch, 1, 1000);
    const dryRun = v.dryRun !== undefined && parseBoolean('--dry-run', v.dryRun);
    const summary = await encryptExisting(endpoint, batch, dryRun, json ? null : process.stderr);
    print(summary, `${summaryLine(summary)}\n`);
    if (summary.failed.length > 0) process.exitCode = 1;
  },
};

export function runEncryptExistingCli(argv: readonly string[]): Promise<void> {
  return runAdminCommand(COMMAND, argv);
}

async function encryptExisting(endpoint: AdminEndpoint, batch: number, dryRun: boolean, progress: NodeJS.WriteStream | null): Promise<ReencryptionSummary> {
  const startedAt = performance.now();
  const remaining = async () => (await adminRequest<{ remaining: Totals }>(endpoint, 'GET', '/_/admin/encrypt-existing')).remaining;
  const list = (after: number) => adminRequest<ListedPage>(endpoint, 'GET', '/_/admin/encrypt-existing/segments', {
    query: new URLSearchParams({ after: String(after), limit: String(batch) }),
  });
  const found = await remaining();
  const summary: ReencryptionSummary = {
    dryRun, found, encrypted: { segments: 0, bytes: 0 }, objectsEncrypted: 0,
    skipped: { gone: 0, changed: 0 }, failed: [], left: found, seconds: 0,
  };
  if (dryRun || found.segments === 0) return summary;
  let page = await list(0);
  const meter = new ProgressLine(progress, summary);
  while (page.segments.length > 0) {
    for (const listed of page.segments) {
      try {
        const { segmentId, cursor, placementVersion } = listed;
        const done = await adminRequest<Outcome>(endpoint, 'POST', '/_/admin/encrypt-existing/segments', { body: { segmentId, cursor, placementVersion } });
        if (done.outcome === 'encrypted') {
          summary.encrypted = { segments: summary.encrypted.segments + 1, bytes: summary.encrypted.bytes + done.bytes };
          summary.objectsEncrypted += done.objectsEncrypted;
        } else {
          summary.skipped[done.outcome] += 1;
        }
      } catch (error) {
        // A segment the gateway could not read or write (503): counted, the job goes on.
        if (!(error instanceof AdminRequestError) || error.status !== 503) throw error;
        summary.failed.push({ segmentId: listed.segmentId, message: error.message });
        meter.note(`segment ${listed.segmentId} failed: ${error.message}`);
      }
      meter.segmentDone(performance.now() - startedAt);
    }
    meter.pageDone(performance.now() - startedAt);
    page = await list(page.nextCursor);
  }
  meter.finish();
  summary.left = await remaining();
  summary.seconds = (performance.now() - startedAt) / 1000;
  return summary;
}

/** `encrypt-existing: 3/5 segments, 1.2 MB of 2.0 MB, 4.1 MB/s`: redrawn per segment on a terminal, a line per page otherwise. */
class ProgressLine {
  #drawn = false;

  constructor(private readonly output: NodeJS.WriteStream | null, private readonly summary: ReencryptionSummary) {}

  segmentDone(elapsedMs: number): void {
    if (!this.output?.isTTY) return;
    this.output.write(`\r${this.#line(elapsedMs)}\x1b[K`);
    this.#drawn = true;
  }

  pageDone(elapsedMs: number): void {
    if (this.output && !this.output.isTTY) this.output.write(`${this.#line(elapsedMs)}\n`);
  }

  note(text: string): void {
    if (!this.output) return;
    this.finish();
    this.output.write(`encrypt-existing: ${text}\n`);
  }

  finish(): void {
    if (this.#drawn) this.output!.write('\r\x1b[K');
    this.#drawn = false;
  }

  #line(elapsedMs: number): string {
    const { found, encrypted, skipped, failed } = this.summary;
    const handled = encrypted.segments + skipped.gone + skipped.changed + failed.length;
    const rate = elapsedMs > 0 ? encrypted.bytes / (elapsedMs / 1000) : 0;
    return `encrypt-existing: ${handled}/${found.segments} segments, ${formatMegabytes(encrypted.bytes)} of ${formatMegabytes(found.bytes)}, ${formatMegabytes(rate)}/s`;
  }
}

function summaryLine(summary: ReencryptionSummary): string {
  const { found, encrypted, skipped, failed, left } = summary;
  if (summary.dryRun) return `${found.segments} segments (${formatMegabytes(found.bytes)}) are stored in the clear; nothing changed (--dry-run)`;
  if (found.segments === 0) return 'nothing to do: every segment is encrypted';
  const rate = summary.seconds > 0 ? encrypted.bytes / summary.seconds : 0;
  return `encrypted ${encrypted.segments} segments (${formatMegabytes(encrypted.bytes)}, ${summary.objectsEncrypted} objects now SSE-S3) `
    + `in ${formatDuration(summary.seconds)} at ${formatMegabytes(rate)}/s; skipped ${skipped.gone + skipped.changed} `
    + `(${skipped.gone} gone, ${skipped.changed} changed); failed ${failed.length}; ${left.segments} left in the clear`;
}
