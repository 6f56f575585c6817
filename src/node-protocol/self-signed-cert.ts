/**
 * A minimal self-signed X.509 v3 certificate for an Ed25519 key, DER-encoded by hand with
 * node:crypto doing the signing (no dependency). A shard node serves HTTPS with a certificate of
 * its identity key (see node-key.ts), so the gateway pins the key it registered: the TLS peer must
 * hold the node's private key, and no certificate authority is involved.
 *
 * The certificate has the subject and issuer `CN=<commonName>`, the validity given, and a
 * subjectAltName with the IP addresses and DNS names given (so ordinary clients that trust the
 * certificate itself as a CA can also check the host).
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

export interface SelfSignedCertOptions {
  readonly commonName: string;
  /** IP addresses and DNS names for the subjectAltName extension. */
  readonly altNames?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** DER: tag, definite length, content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else header = Buffer.from([tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  return Buffer.concat([header, body]);
}

const sequence = (...items: Buffer[]) => der(0x30, ...items);
const set = (...items: Buffer[]) => der(0x31, ...items);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) group.unshift((value & 0x7f) | 0x80);
    bytes.push(...group);
  }
  return der(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  return der(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** GeneralizedTime (valid for every year; UTCTime only up to 2049). */
function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}/, '');
  return der(0x18, Buffer.from(text, 'ascii'));
}

const ED25519 = sequence(oid('1.3.101.112'));

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
}

function subjectAltName(altNames: readonly string[]): Buffer {
  const names = altNames.map((entry) => {
    const family = isIP(entry);
    if (family === 4) return der(0x87, Buffer.from(entry.split('.').map(Number)));
    if (family === 6) return der(0x87, ipv6Bytes(entry));
    return der(0x82, Buffer.from(entry, 'ascii'));
  });
  return sequence(oid('2.5.29.17'), der(0x04, sequence(...names)));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  return Buffer.from(all.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]));
}

/** The certificate as PEM, signed by `privateKey` (Ed25519) over its own public key. */
export function selfSignedCertificate(privateKey: KeyObject, options: SelfSignedCertOptions): string {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const extensions = options.altNames && options.altNames.length > 0
    ? [der(0xa3, sequence(subjectAltName(options.altNames)))]
    : [];
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    positiveInteger(randomBytes(16)),
    ED25519,
    name(options.commonName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.commonName),
    spki,
    ...extensions,
  );
  const signature = sign(null, tbs, privateKey);
  const certificate = sequence(tbs, ED25519, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
