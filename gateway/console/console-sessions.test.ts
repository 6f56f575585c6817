import test from 'ava';
import { secretsEqual } from '../../src/crypto/secrets-equal.ts';
import { ConsoleSessions } from './console-sessions.ts';

test('sessions expire after their idle time, slide on use, and stay bounded in number', (t) => {
  let clock = 0;
  const sessions = new ConsoleSessions(1_000, () => clock, 2);
  const first = sessions.create();
  t.not(first.id, first.csrfToken);
  clock = 900;
  t.is(sessions.get(first.id), first, 'used before expiry: pushed back');
  clock = 1_800;
  t.is(sessions.get(first.id), first);
  clock = 2_801;
  t.is(sessions.get(first.id), null, 'idle past the TTL');
  t.is(sessions.get(undefined), null);
  const a = sessions.create();
  const b = sessions.create();
  sessions.get(a.id);
  const c = sessions.create();
  t.is(sessions.size, 2);
  t.is(sessions.get(b.id), null, 'the least recently used session made room');
  t.is(sessions.get(a.id), a);
  t.is(sessions.get(c.id), c);
});

test('a session used all the time still ends at its absolute lifetime after login', (t) => {
  let clock = 0;
  const sessions = new ConsoleSessions(1_000, () => clock, 4, 5_000);
  const session = sessions.create();
  for (clock = 500; clock < 5_000; clock += 500) t.is(sessions.get(session.id), session, `polled at ${clock} ms`);
  clock = 5_000;
  t.is(sessions.get(session.id), null, 'ended at login + 5 s although used every 0.5 s');
  const late = sessions.create();
  t.is(late.expiresAt, 6_000, 'a new login starts a new lifetime');
});

test('secretsEqual compares any two strings, lengths included', (t) => {
  t.true(secretsEqual('token', 'token'));
  for (const other of ['', 'toke', 'tokenn', 'Token', 'tokén']) t.false(secretsEqual(other, 'token'), other);
});
