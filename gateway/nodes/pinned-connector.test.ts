import test from 'ava';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { exportPrivateKeyPem, generateNodeKeyPair, publicKeyOf } from '../../src/node-protocol/node-key.ts';
import { selfSignedCertificate } from '../../src/node-protocol/self-signed-cert.ts';
import { pinnedNodeConnector } from './pinned-connector.ts';

/** A real HTTPS server with a certificate self-signed by `key`. */
async function tlsServer(t: { teardown(fn: () => unknown): void }, key = generateNodeKeyPair()) {
  const cert = selfSignedCertificate(key, { commonName: 'shardgate-node', altNames: ['127.0.0.1'], notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) });
  const server = https.createServer({ key: exportPrivateKeyPem(key), cert }, (_request, response) => response.end('shard bytes'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, publicKey: publicKeyOf(key) };
}

test('a pinned pool talks TLS to the node holding the registered key', async (t) => {
  const node = await tlsServer(t);
  const pool = new Pool(node.url, { connect: pinnedNodeConnector(node.publicKey, 5000) });
  t.teardown(() => pool.close());
  const response = await pool.request({ method: 'GET', path: '/' });
  t.is(response.statusCode, 200);
  t.is(await response.body.text(), 'shard bytes');
});

test('every new connection is checked again (no resumed session skips the key)', async (t) => {
  const node = await tlsServer(t);
  const pool = new Pool(node.url, { connect: pinnedNodeConnector(node.publicKey, 5000), pipelining: 0 });
  t.teardown(() => pool.close());
  for (let i = 0; i < 5; i++) {
    const response = await pool.request({ method: 'GET', path: '/', headers: { connection: 'close' } });
    t.is(await response.body.text(), 'shard bytes', `connection ${i}`);
  }
});

test('a node answering with another key is refused before any request is sent', async (t) => {
  const impostor = await tlsServer(t);
  const registeredKey = publicKeyOf(generateNodeKeyPair());
  const pool = new Pool(impostor.url, { connect: pinnedNodeConnector(registeredKey, 5000) });
  t.teardown(() => pool.close());
  await t.throwsAsync(pool.request({ method: 'GET', path: '/' }), { code: 'NODE_KEY_MISMATCH' } as never);
});
