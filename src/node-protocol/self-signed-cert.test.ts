import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { generateNodeKeyPair, publicKeyOf } from './node-key.ts';
import { selfSignedCertificate } from './self-signed-cert.ts';

test('a self-signed Ed25519 certificate of the key, with its names and validity, that OpenSSL parses and verifies', (t) => {
  const key = generateNodeKeyPair();
  const notBefore = new Date('2026-01-02T03:04:05Z');
  const notAfter = new Date('2126-01-02T03:04:05Z');
  const pem = selfSignedCertificate(key, { commonName: 'shardgate-node abc', altNames: ['10.1.2.3', 'node.example.com', 'fd00::1'], notBefore, notAfter });
  const certificate = new X509Certificate(pem);
  t.is(certificate.subject, 'CN=shardgate-node abc');
  t.is(certificate.issuer, 'CN=shardgate-node abc');
  t.is(certificate.subjectAltName, 'IP Address:10.1.2.3, DNS:node.example.com, IP Address:FD00:0:0:0:0:0:0:1');
  t.is(new Date(certificate.validFrom).getTime(), notBefore.getTime());
  t.is(new Date(certificate.validTo).getTime(), notAfter.getTime());
  t.true(certificate.verify(certificate.publicKey));
  t.is((certificate.publicKey.export({ format: 'jwk' }) as { x: string }).x, publicKeyOf(key));
  t.false(certificate.verify(new X509Certificate(selfSignedCertificate(generateNodeKeyPair(), { commonName: 'x', notBefore, notAfter })).publicKey));
});
