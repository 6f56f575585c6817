/**
 * A node's audit reputation, a beta reputation as Storj keeps it: every audit first forgets a
 * little of the past (`FORGET`), then adds one success to alpha or one failure to beta; the score
 * is alpha / (alpha + beta). A new node starts with PRIOR successes, so one failure does not
 * disqualify it (six in a row from a clean record take it below 0.6). Pure arithmetic, no I/O.
 */
export const FORGET = 0.95;
export const PRIOR = 10;

export interface AuditScore {
  readonly alpha: number;
  readonly beta: number;
  readonly passed: number;
  readonly failed: number;
}

export const NEW_SCORE: AuditScore = Object.freeze({ alpha: PRIOR, beta: 0, passed: 0, failed: 0 });

export function recordAudit(score: AuditScore, passed: boolean): AuditScore {
  return {
    alpha: FORGET * score.alpha + (passed ? 1 : 0),
    beta: FORGET * score.beta + (passed ? 0 : 1),
    passed: score.passed + (passed ? 1 : 0),
    failed: score.failed + (passed ? 0 : 1),
  };
}

export function scoreValue(score: AuditScore): number {
  return score.alpha / (score.alpha + score.beta);
}
