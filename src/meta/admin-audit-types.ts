/**
 * The admin audit log: every action taken through the web console (logins that worked and that
 * were refused, logouts, listings, download links), appended by the gateway, read newest first.
 */
export interface NewAdminAuditEntry {
  readonly at: Date;
  /** What was done: `login`, `logout`, `list-buckets`, `list-objects`, `download-link`, … */
  readonly action: string;
  /** `ok`, or why it was refused (`refused`, `error`). */
  readonly outcome: string;
  /** What the action was about (a bucket, `bucket/key`, an account), null when nothing. */
  readonly subject: string | null;
  /** The client address the console saw, null when unknown. */
  readonly remoteAddress: string | null;
}

export interface AdminAuditEntry extends NewAdminAuditEntry {
  /** Increasing in append order on one gateway; the page cursor of `listAdminAudit`. */
  readonly id: number;
}

export interface AdminAuditPage {
  /** Only entries with an id below this (the previous page's last id). */
  readonly before?: number;
  readonly limit: number;
}

/** A page of accounts in name order (byte order): names strictly after `after`, at most `limit`. */
export interface AccountListPage {
  readonly after?: string;
  readonly limit: number;
}
