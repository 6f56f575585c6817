import test from 'ava';
import type { CorsRule } from '../../src/meta/types.ts';
import { CORS_VARY, corsHeaders, findCorsRule, parseRequestHeaders, type CorsAsk } from './cors-rules.ts';

const SITE: CorsRule = {
  id: 'site',
  allowedOrigins: ['https://*.example.com'],
  allowedMethods: ['GET', 'PUT'],
  allowedHeaders: ['x-amz-*', 'Content-Type'],
  exposeHeaders: ['ETag', 'x-amz-version-id'],
  maxAgeSeconds: 600,
};
const EVERYONE: CorsRule = { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] };
const RULES = [SITE, EVERYONE];
const ORIGIN = 'https://app.example.com';
const ask = (origin: string, method: string, requestHeaders: string[] = []): CorsAsk => ({ origin, method, requestHeaders });

const matches = test.macro({
  exec(t, asked: CorsAsk, expected: CorsRule | undefined) {
    t.is(findCorsRule(RULES, asked), expected);
  },
  title: (name = '') => `rule for ${name}`,
});
test('a matching origin and method', matches, ask(ORIGIN, 'GET'), SITE);
test('allowed headers, wildcard and case-insensitive', matches, ask(ORIGIN, 'PUT', ['content-type', 'x-amz-meta-name']), SITE);
test('a header no rule allows', matches, ask(ORIGIN, 'GET', ['authorization']), undefined);
test('a method of the second rule only', matches, ask(ORIGIN, 'HEAD'), EVERYONE);
test('the literal origin "null"', matches, ask('null', 'HEAD'), EVERYONE);
test('a method no rule allows', matches, ask(ORIGIN, 'DELETE'), undefined);
test('an origin outside the wildcard', matches, ask('https://example.org', 'GET'), undefined);
test('the bare domain (the wildcard needs its dot)', matches, ask('https://example.com', 'GET'), undefined);
test('another scheme', matches, ask('http://app.example.com', 'GET'), undefined);

test('headers for a rule with named origins: the origin echoed, credentials, everything else', (t) => {
  t.deepEqual(corsHeaders(SITE, ask(ORIGIN, 'PUT', ['content-type', 'x-amz-meta-name'])), {
    'access-control-allow-origin': ORIGIN,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-allow-headers': 'content-type, x-amz-meta-name',
    'access-control-expose-headers': 'ETag, x-amz-version-id',
    'access-control-max-age': '600',
    vary: CORS_VARY,
  });
});

test('headers for a rule open to every origin: *, no credentials', (t) => {
  t.deepEqual(corsHeaders(EVERYONE, ask('https://example.org', 'HEAD')), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'HEAD',
    vary: CORS_VARY,
  });
});

test('Access-Control-Request-Headers is a lower-cased comma list', (t) => {
  t.deepEqual(parseRequestHeaders(' Content-Type ,X-Amz-Date,, '), ['content-type', 'x-amz-date']);
  t.deepEqual(parseRequestHeaders(undefined), []);
});
