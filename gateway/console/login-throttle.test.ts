import test from 'ava';
import { LoginThrottle } from './login-throttle.ts';

test('an address is locked out after its failures in the window, until the window ends; others are not', (t) => {
  let clock = 0;
  const throttle = new LoginThrottle(() => clock, 3, 60_000, 2);
  for (let index = 0; index < 3; index++) {
    t.true(throttle.allows('a'));
    throttle.failed('a');
  }
  t.false(throttle.allows('a'));
  t.is(throttle.retryAfterSeconds('a'), 60);
  t.true(throttle.allows('b'));
  clock = 59_999;
  t.false(throttle.allows('a'));
  clock = 60_000;
  t.true(throttle.allows('a'), 'the window that began with the first failure is over');
  t.is(throttle.retryAfterSeconds('a'), 0);
});

test('a success clears the address; the table keeps only the newest addresses', (t) => {
  const throttle = new LoginThrottle(() => 0, 2, 60_000, 2);
  throttle.failed('a');
  throttle.succeeded('a');
  throttle.failed('a');
  t.true(throttle.allows('a'), 'one failure since the success');
  throttle.failed('a');
  t.false(throttle.allows('a'));
  throttle.failed('b');
  throttle.failed('c');
  t.true(throttle.allows('a'), 'the oldest address was forgotten');
});

test('a lockout is reported once, however many attempts it refuses; the next lockout again', (t) => {
  let clock = 0;
  const throttle = new LoginThrottle(() => clock, 2, 60_000);
  throttle.failed('a');
  t.false(throttle.firstOfLockout('a'), 'not locked out yet');
  throttle.failed('a');
  t.true(throttle.firstOfLockout('a'));
  for (let attempt = 0; attempt < 100; attempt++) t.false(throttle.firstOfLockout('a'));
  clock = 60_000;
  throttle.failed('a');
  throttle.failed('a');
  t.true(throttle.firstOfLockout('a'), 'a new window, a new lockout');
});
