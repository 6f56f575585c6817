/**
 * Who may register as which node. A registration is signed with the node's Ed25519 key over its
 * id, URL, zone, public key and a gateway-time timestamp (src/node-protocol/node-key.ts):
 *
 * - the timestamp must be within SIGNED_AT_WINDOW_MS of the gateway's clock, and newer than the
 *   last registration accepted for the id (a captured registration cannot be replayed);
 * - a tombstoned id is refused forever;
 * - an id the gateway knows is bound to its public key: only a registration signed by that key is
 *   accepted (it may move the URL); the join token plays no part, so an operator holding a token
 *   cannot take over anyone else's node;
 * - a new id (or one stored before node keys existed) needs a valid, unrevoked join token; its key
 *   is bound then, and the token's operator becomes the node's.
 *
 * Every accepted registration gets a fresh random request secret (epoch + 1), returned only in
 * the answer to that registration. Refusals name their reason and never carry a secret.
 */
import { randomBytes } from 'node:crypto';
import type { MetaStore } from '../../src/meta/store.ts';
import type { NodeRecord } from '../../src/meta/types.ts';
import { SIGNED_AT_WINDOW_MS, heartbeatMessage, registrationMessage, scrubReportMessage, verifyNodeKeySignature } from '../../src/node-protocol/node-key.ts';
import type { NodeHeartbeatRequest, NodeRefusal, NodeRegisterRequest, NodeScrubReport } from '../../src/node-protocol/routes.ts';
import { operatorOfJoinToken } from './join-tokens.ts';

export type Admission =
  | { readonly admitted: true; readonly record: NodeRecord; readonly previous: NodeRecord | null; readonly keyBoundNow: boolean }
  | { readonly admitted: false; readonly status: 403; readonly refusal: NodeRefusal };

function refuse(error: NodeRefusal['error'], message: string, gatewayTimeMs?: number): Admission {
  return { admitted: false, status: 403, refusal: { error, message, ...(gatewayTimeMs === undefined ? {} : { gatewayTimeMs }) } };
}

export async function admitRegistration(store: MetaStore, request: NodeRegisterRequest, now: Date): Promise<Admission> {
  const nowMs = now.getTime();
  if (Math.abs(request.signedAtMs - nowMs) > SIGNED_AT_WINDOW_MS) {
    return refuse('SIGNED_AT_STALE', 'the registration was not signed at the gateway\'s current time', nowMs);
  }
  if (!verifyNodeKeySignature(request.publicKey, registrationMessage(request), request.signature)) {
    return refuse('SIGNATURE_INVALID', 'the registration is not signed by the key it presents');
  }
  if (await store.getNodeTombstone(request.nodeId)) {
    return refuse('NODE_TOMBSTONED', 'this node id was removed from the cluster and cannot register again');
  }
  const previous = await store.getNode(request.nodeId);
  let operatorId: string | null;
  if (previous?.publicKey) {
    if (previous.publicKey !== request.publicKey) {
      return refuse('IDENTITY_MISMATCH', 'this node id is registered with another key');
    }
    if (request.signedAtMs <= previous.lastSignedAtMs) {
      return refuse('SIGNED_AT_STALE', 'the registration is not newer than the last one accepted', Math.max(nowMs, previous.lastSignedAtMs + 1));
    }
    operatorId = previous.operatorId;
  } else {
    operatorId = await operatorOfJoinToken(store, request.joinToken);
    if (operatorId === null) return refuse('JOIN_TOKEN_INVALID', 'wrong or revoked join token');
  }
  const record: NodeRecord = {
    id: request.nodeId,
    url: request.url,
    zone: request.zone,
    capacityBytes: request.capacityBytes,
    freeBytes: request.freeBytes,
    registeredAt: previous?.registeredAt ?? now,
    lastHeartbeatAt: now,
    operatorId,
    publicKey: request.publicKey,
    secret: randomBytes(32).toString('hex'),
    secretEpoch: (previous?.secretEpoch ?? 0) + 1,
    lastSignedAtMs: request.signedAtMs,
  };
  return { admitted: true, record, previous, keyBoundNow: !previous?.publicKey };
}

/**
 * A heartbeat counts only when signed by the node's registered key, for the URL it registered
 * (a heartbeat vouches for exactly the node the gateway sends shards to), at a time near the
 * gateway's and newer than the node's previous heartbeat. Null when it counts.
 */
export function checkHeartbeat(
  record: NodeRecord,
  previousSignedAtMs: number,
  heartbeat: NodeHeartbeatRequest,
  now: Date,
): NodeRefusal | null {
  if (record.publicKey === null) return { error: 'NOT_REGISTERED', message: 'register with a node key first' };
  if (!verifyNodeKeySignature(record.publicKey, heartbeatMessage(heartbeat), heartbeat.signature)) {
    return { error: 'SIGNATURE_INVALID', message: 'the heartbeat is not signed by this node\'s key' };
  }
  if (heartbeat.url !== record.url) return { error: 'URL_MISMATCH', message: 'the node is registered at another URL; register again' };
  const nowMs = now.getTime();
  if (Math.abs(heartbeat.signedAtMs - nowMs) > SIGNED_AT_WINDOW_MS || heartbeat.signedAtMs <= previousSignedAtMs) {
    return { error: 'SIGNED_AT_STALE', message: 'the heartbeat is stale or replayed', gatewayTimeMs: nowMs };
  }
  return null;
}

/**
 * A scrub report must be signed by the node's registered key within the signature window. A
 * replayed report only queues the same shards of that node for repair again, so no ordering
 * check is needed beyond the window.
 */
export function checkScrubReport(record: NodeRecord, report: NodeScrubReport, now: Date): NodeRefusal | null {
  if (record.publicKey === null) return { error: 'NOT_REGISTERED', message: 'register with a node key first' };
  if (!verifyNodeKeySignature(record.publicKey, scrubReportMessage(report), report.signature)) {
    return { error: 'SIGNATURE_INVALID', message: 'the scrub report is not signed by this node\'s key' };
  }
  const nowMs = now.getTime();
  if (Math.abs(report.signedAtMs - nowMs) > SIGNED_AT_WINDOW_MS) {
    return { error: 'SIGNED_AT_STALE', message: 'the scrub report is stale', gatewayTimeMs: nowMs };
  }
  return null;
}
