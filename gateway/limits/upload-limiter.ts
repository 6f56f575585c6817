import { S3Error } from '../../src/s3/errors.ts';

/**
 * Counts uploads in progress, over all clients and per account, and refuses one more past either
 * limit with S3's `503 SlowDown` (SDKs back off and retry it). An admitted upload holds its slot
 * until `release` is called, however slowly its client sends.
 */
export class UploadLimiter {
  #total = 0;
  readonly #perClient = new Map<string, number>();

  constructor(private readonly limits: { readonly maxUploads: number; readonly maxUploadsPerClient: number }) {}

  /** Takes a slot for `clientId` or throws S3Error SlowDown; the returned function gives it back (once). */
  acquire(clientId: string): () => void {
    const mine = this.#perClient.get(clientId) ?? 0;
    if (this.#total >= this.limits.maxUploads) {
      throw new S3Error('SlowDown', { message: `Too many uploads in progress (${this.limits.maxUploads}); retry later.` });
    }
    if (mine >= this.limits.maxUploadsPerClient) {
      throw new S3Error('SlowDown', { message: `Too many uploads in progress for this account (${this.limits.maxUploadsPerClient}); retry later.` });
    }
    this.#total++;
    this.#perClient.set(clientId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = this.#perClient.get(clientId)! - 1;
      if (left === 0) this.#perClient.delete(clientId);
      else this.#perClient.set(clientId, left);
    };
  }

  /** Uploads in progress now. */
  get inProgress(): number {
    return this.#total;
  }
}
