import { randomBytes } from 'node:crypto';
import { commonPrefix, objectExpiry, uploadAbortDate } from '../../src/lifecycle/lifecycle-match.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { LifecycleJob } from '../../src/meta/lifecycle-store-types.ts';
import type { UploadPosition } from '../../src/meta/multipart-types.ts';
import { CommitPreconditionError, type MetaStore } from '../../src/meta/store.ts';
import { lifecycleObjectOf } from './lifecycle-object.ts';

/** Objects (or uploads) looked at per listing page: the worker's memory bound. */
const PAGE_SIZE = 500;
/** A claimed bucket stays this worker's this long without renewal; renewed after every page. */
export const LIFECYCLE_LEASE_MS = 60_000;
/** Buckets claimed at once. */
const JOBS_PER_CLAIM = 4;

export interface LifecycleWorkerDeps {
  readonly store: MetaStore;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Shards of expired objects and aborted uploads are queued as garbage: collect them soon. */
  readonly kickJanitor: () => void;
  /** One lifecycle day (86,400,000 ms unless scaled for tests). */
  readonly dayMs: number;
  /** Pause between passes; a bucket's job is due again this long after a pass over it. */
  readonly intervalMs: number;
}

/** What one pass did, for the log and the tests. */
export interface LifecyclePassReport {
  buckets: number;
  objectsExpired: number;
  uploadsAborted: number;
}

class LeaseLostError extends Error {
  readonly code = 'LIFECYCLE_LEASE_LOST';
  override name = 'LeaseLostError';
  constructor(readonly bucket: string) {
    super(`lifecycle lease on bucket ${bucket} was lost (rules replaced, or taken over after expiry)`);
  }
}

/**
 * Applies the buckets' lifecycle rules: deletes expired objects through the store's DeleteObject
 * (shards to the garbage queue, a `delete` storage event for billing) and aborts incomplete
 * multipart uploads older than their rule allows (their parts' shards to the garbage queue).
 *
 * Work is claimed per bucket from the store with a fenced lease (like the repair queue), so
 * several gateways sharing a PostgreSQL store never apply one bucket's rules at once. Memory is
 * one listing page: each bucket is walked by index seeks from the longest prefix its rules share.
 * A delete names the exact version judged expired, so an object replaced meanwhile stays.
 */
export class LifecycleWorker {
  readonly #owner = `gateway-${randomBytes(6).toString('hex')}`;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(private readonly deps: LifecycleWorkerDeps) {}

  start(): void {
    if (this.deps.intervalMs <= 0) return;
    this.#timer = setInterval(() => this.kick(), this.deps.intervalMs);
    this.#timer.unref();
    this.kick();
  }

  /** Runs a pass soon (coalesced with one already running). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.runOnce()
      .then((report) => {
        if (report.objectsExpired + report.uploadsAborted > 0) this.deps.logger.info('lifecycle_pass', { ...report });
      })
      .catch((error: Error) => this.deps.logger.error('lifecycle_failed', { error: error.message }))
      .finally(() => {
        this.#running = null;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  /** Claims due buckets until none is left and applies their rules. */
  async runOnce(): Promise<LifecyclePassReport> {
    const report: LifecyclePassReport = { buckets: 0, objectsExpired: 0, uploadsAborted: 0 };
    while (!this.#stopped) {
      const jobs = await this.deps.store.claimLifecycleJobs(this.#owner, JOBS_PER_CLAIM, LIFECYCLE_LEASE_MS, this.deps.now());
      if (jobs.length === 0) break;
      for (const job of jobs) await this.#applyJob(job, report);
    }
    if (report.objectsExpired + report.uploadsAborted > 0 && !this.#stopped) this.deps.kickJanitor();
    return report;
  }

  async #applyJob(job: LifecycleJob, report: LifecyclePassReport): Promise<void> {
    try {
      await this.#expireObjects(job, report);
      await this.#abortUploads(job, report);
      report.buckets += 1;
      await this.deps.store.completeLifecycleJob(job.bucketRef, job.leaseToken, new Date(this.deps.now().getTime() + this.deps.intervalMs));
    } catch (error) {
      if (error instanceof LeaseLostError && this.#stopped) {
        // Shutting down: hand the bucket back, due at once for another gateway (or the next start).
        await this.deps.store.completeLifecycleJob(job.bucketRef, job.leaseToken, this.deps.now()).catch(() => false);
        return;
      }
      if (error instanceof LeaseLostError) {
        this.deps.logger.info('lifecycle_lease_lost', { bucket: job.bucket });
        return;
      }
      if ((error as { code?: string }).code === 'NO_SUCH_BUCKET') return; // deleted meanwhile: its job went with it
      // The lease runs out and the bucket is claimed again (here or elsewhere) after it.
      this.deps.logger.error('lifecycle_bucket_failed', { bucket: job.bucket, error: (error as Error).message });
    }
  }

  async #keepLease(job: LifecycleJob): Promise<void> {
    if (this.#stopped || !await this.deps.store.renewLifecycleJob(job.bucketRef, job.leaseToken, LIFECYCLE_LEASE_MS, this.deps.now())) {
      throw new LeaseLostError(job.bucket);
    }
  }

  async #expireObjects(job: LifecycleJob, report: LifecyclePassReport): Promise<void> {
    const prefix = commonPrefix(job.rules, (rule) => rule.expiration !== null);
    if (prefix === null) return;
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.store.listObjects(job.bucket, { prefix, after, maxKeys: PAGE_SIZE });
      for (const version of page.objects) {
        const expiry = objectExpiry(job.rules, lifecycleObjectOf(version), this.deps.dayMs);
        if (expiry === null || expiry.at.getTime() > this.deps.now().getTime()) continue;
        try {
          if (await this.deps.store.deleteObject(job.bucket, version.key, undefined, version.versionId)) report.objectsExpired += 1;
        } catch (error) {
          if (!(error instanceof CommitPreconditionError)) throw error; // replaced or deleted since listed: not this rule's
        }
      }
      await this.#keepLease(job);
      if (!page.isTruncated || page.nextAfter === null) return;
      after = page.nextAfter;
    }
  }

  async #abortUploads(job: LifecycleJob, report: LifecyclePassReport): Promise<void> {
    const prefix = commonPrefix(job.rules, (rule) => rule.abortIncompleteUploadDays !== null);
    if (prefix === null) return;
    let after: UploadPosition | undefined;
    for (;;) {
      const page = await this.deps.store.listMultipartUploads(job.bucket, { prefix, after, maxUploads: PAGE_SIZE });
      for (const upload of page.uploads) {
        const abortAt = uploadAbortDate(job.rules, upload.key, upload.initiatedAt, this.deps.dayMs);
        if (abortAt === null || abortAt.getTime() > this.deps.now().getTime()) continue;
        if (await this.deps.store.abortMultipartUpload(job.bucket, upload.key, upload.uploadId)) report.uploadsAborted += 1;
      }
      await this.#keepLease(job);
      if (!page.isTruncated || page.nextAfter === null) return;
      after = page.nextAfter;
    }
  }
}
