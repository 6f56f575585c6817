/**
 * Connections to a shard node that serves HTTPS are pinned to the node's registered Ed25519 key:
 * the node's certificate is self-signed with its identity key (src/node-protocol/self-signed-cert.ts),
 * so no certificate authority is asked; the handshake proves the peer holds the private key, and
 * the connector refuses any peer whose certificate carries another key. Traffic to the node can
 * then be neither read nor altered on the way, although node request signatures do not cover
 * bodies.
 */
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

export class NodeKeyMismatchError extends Error {
  readonly code = 'NODE_KEY_MISMATCH';
  override name = 'NodeKeyMismatchError';
}

/** base64url raw key of an Ed25519 certificate's public key, or null for any other key. */
function certificateKey(socket: TLSSocket): string | null {
  const publicKey = socket.getPeerX509Certificate?.()?.publicKey;
  if (publicKey?.asymmetricKeyType !== 'ed25519') return null;
  return (publicKey.export({ format: 'jwk' }) as { x?: string }).x ?? null;
}

/** An undici connector for one node: TLS whose peer must hold `publicKey` (base64url raw Ed25519). */
export function pinnedNodeConnector(publicKey: string, timeoutMs: number): buildConnector.connector {
  // The certificate is self-signed, so chain verification is off; the key check below replaces it.
  // No session resumption: a resumed session shows no peer certificate to check (and a full
  // handshake on a keep-alive pool's rare new connection costs little).
  const connect = buildConnector({ rejectUnauthorized: false, timeout: timeoutMs, maxCachedSessions: 0 });
  return function connectPinned(options, callback) {
    connect(options, (error, socket) => {
      if (error !== null) return callback(error, null);
      if (certificateKey(socket as TLSSocket) !== publicKey) {
        socket.destroy();
        return callback(new NodeKeyMismatchError(`${options.hostname}:${options.port} does not hold the node's registered key`), null);
      }
      callback(null, socket);
    });
  };
}
