import test from 'ava';
import { NEW_SCORE, recordAudit, scoreValue, type AuditScore } from './audit-score.ts';

const after = (results: readonly boolean[]): AuditScore => results.reduce(recordAudit, NEW_SCORE);

test('a new node scores 1; one failure leaves it well above 0.6, six in a row take it below', (t) => {
  t.is(scoreValue(NEW_SCORE), 1);
  t.true(scoreValue(after([false])) > 0.9);
  t.true(scoreValue(after([false, false, false, false, false])) >= 0.6);
  t.true(scoreValue(after([false, false, false, false, false, false])) < 0.6);
});

test('successes pull a score back up, and counts are kept', (t) => {
  const failing = after([false, false, false, false]);
  const recovered = [true, true, true, true, true, true, true, true].reduce(recordAudit, failing);
  t.true(scoreValue(recovered) > scoreValue(failing));
  t.like(recovered, { passed: 8, failed: 4 });
});
