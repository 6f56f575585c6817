/**
 * A node asking the gateway for its own payout statement (`shardgate node earnings`), signed with
 * the node's Ed25519 key exactly as its heartbeats are (node-key.ts): canonical text with its own
 * purpose string, so no registration or heartbeat signature is valid as an earnings request and
 * the other way round:
 *
 *   shardgate-node-earnings-v1\n<nodeId>\n<from>\n<to>\n<signedAtMs>
 *
 * `from` and `to` are the window as typed (ISO 8601; empty for the default), so a captured request
 * cannot be edited into another window; `signedAtMs` is gateway time, accepted within
 * SIGNED_AT_WINDOW_MS of the gateway's clock and only when newer than the node's last accepted one.
 *
 *   POST /_/nodes/earnings   NodeEarningsRequest → 200 PayoutReport, 400/403/404 NodeRefusal
 */
import { NodeMessageError } from './routes.ts';

export const NODE_EARNINGS_PATH = '/_/nodes/earnings';

export interface NodeEarningsRequest {
  readonly nodeId: string;
  /** Window start as ISO 8601, '' for the start of the current UTC month. */
  readonly from: string;
  /** Window end (exclusive) as ISO 8601, '' for now. */
  readonly to: string;
  readonly signedAtMs: number;
  /** base64url Ed25519 signature of `earningsMessage` by the node key. */
  readonly signature: string;
}

export function earningsMessage(request: Omit<NodeEarningsRequest, 'signature'>): string {
  return ['shardgate-node-earnings-v1', request.nodeId, request.from, request.to, String(request.signedAtMs)].join('\n');
}

/** Throws NodeMessageError for anything that is not a well-formed request. */
export function parseNodeEarningsRequest(body: unknown): NodeEarningsRequest {
  const record = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
  const text = (name: string, allowEmpty: boolean): string => {
    const value = record[name];
    // Newlines would let one field pose as two in the signed text.
    if (typeof value !== 'string' || (!allowEmpty && value === '') || value.length > 200 || value.includes('\n')) {
      throw new NodeMessageError(`${name} must be a ${allowEmpty ? '' : 'non-empty '}single-line string`);
    }
    return value;
  };
  const signedAtMs = record.signedAtMs;
  if (typeof signedAtMs !== 'number' || !Number.isSafeInteger(signedAtMs) || signedAtMs < 0) {
    throw new NodeMessageError('signedAtMs must be a non-negative integer');
  }
  return { nodeId: text('nodeId', false), from: text('from', true), to: text('to', true), signedAtMs, signature: text('signature', false) };
}
