import test from 'ava';
import { decodeEncodedWord, headerValueAsUtf8, metadataValueFromHeader, metadataValueToHeader } from './header-text.ts';

/** What Node hands over for a header whose bytes are the UTF-8 of `text`. */
const arrivedAsUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

test('UTF-8 bytes are read as UTF-8; latin1 that is not UTF-8 and ASCII stay as they came', (t) => {
  t.is(headerValueAsUtf8(arrivedAsUtf8('Zürich 日本')), 'Zürich 日本');
  t.is(headerValueAsUtf8('Z\u00fcrich'), 'Z\u00fcrich'); // one byte 0xFC: not UTF-8, latin1 as sent by Node clients
  t.is(headerValueAsUtf8('plain ascii'), 'plain ascii');
});

test('RFC 2047 encoded-words decode in B and Q forms; other text is left alone', (t) => {
  t.is(decodeEncodedWord('=?UTF-8?B?WsO8cmljaA==?='), 'Zürich');
  t.is(decodeEncodedWord('=?utf-8?q?na=C3=AFve_caf=C3=A9?='), 'naïve café');
  t.is(decodeEncodedWord('=?ISO-8859-1?Q?Z=FCrich?='), 'Zürich');
  t.is(decodeEncodedWord('=?KOI8-R?B?AAAA?='), '=?KOI8-R?B?AAAA?=');
  t.is(decodeEncodedWord('not =?UTF-8?B?WsO8cmljaA==?= alone'), 'not =?UTF-8?B?WsO8cmljaA==?= alone');
});

test('metadata round-trips: stored as text, sent back as an encoded-word only when it must be', (t) => {
  for (const text of ['ascii only', 'Zürich', 'naïve café', '日本語', '=?not?encoded']) {
    const stored = metadataValueFromHeader(arrivedAsUtf8(text));
    t.is(stored, text);
    const sent = metadataValueToHeader(stored);
    t.false(/[^\x00-\x7f]/.test(sent), 'a header value is ASCII');
    t.is(metadataValueFromHeader(sent), text);
  }
});
