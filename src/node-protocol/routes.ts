/**
 * The HTTP protocol between the gateway and shard nodes: paths, shard ids, and the JSON bodies of
 * registration, heartbeats and node answers. Both sides build paths here so they cannot drift.
 *
 * Node endpoints (all signed, see signature.ts, except /health):
 *   PUT    /shards/<id>?chunkSize=N   streamed body, whole chunks → 200 ShardUploadResponse
 *   POST   /shards/<id>/commit        body = hash list            → 204 (409 on a different list)
 *   GET    /shards/<id>               Range: bytes=a-b            → 206 / 200 / 416 / 404
 *   GET    /shards/<id>/hashes                                    → 200 application/octet-stream
 *   DELETE /shards/<id>                                           → 204 (also when absent)
 *   GET    /shards?after=<id>&limit=N                             → 200 ShardListResponse
 *   GET    /status                                                → 200 NodeStatusResponse (id, space)
 *   GET    /health                    unsigned                    → 200 NodeHealthResponse (liveness only)
 * Gateway endpoints the node calls (signed with the node's Ed25519 key, see node-key.ts):
 *   POST   /_/nodes/register          NodeRegisterRequest         → 200 NodeRegisterResponse, 403 NodeRefusal
 *   POST   /_/nodes/heartbeat         NodeHeartbeatRequest        → 204, 403/404 NodeRefusal
 *   POST   /_/nodes/scrub-report      NodeScrubReport             → 200 { accepted }, 400/403/404 NodeRefusal
 * Errors from a node carry a JSON body `NodeErrorBody`.
 */

/** `<32 hex: segment id>.<shard index>`, e.g. `0123456789abcdef0123456789abcdef.5`. */
import { formatRangeRequest } from '../byte-range.ts';

export const SHARD_ID_PATTERN = /^[0-9a-f]{32}\.[0-9]{1,3}$/;

export function isValidShardId(id: string): boolean {
  return SHARD_ID_PATTERN.test(id);
}

export const HEALTH_PATH = '/health';
export const STATUS_PATH = '/status';
export const SHARDS_PATH = '/shards';
export const NODE_REGISTER_PATH = '/_/nodes/register';
export const NODE_HEARTBEAT_PATH = '/_/nodes/heartbeat';

/** Listing page size when the request names none, and the most one page may hold. */
export const DEFAULT_SHARD_LIST_LIMIT = 1000;
export const MAX_SHARD_LIST_LIMIT = 10_000;

export function shardPath(shardId: string): string {
  return `${SHARDS_PATH}/${shardId}`;
}

export function shardUploadPath(shardId: string, chunkSize: number): string {
  return `${SHARDS_PATH}/${shardId}?chunkSize=${chunkSize}`;
}

export function shardCommitPath(shardId: string): string {
  return `${SHARDS_PATH}/${shardId}/commit`;
}

export function shardHashesPath(shardId: string): string {
  return `${SHARDS_PATH}/${shardId}/hashes`;
}

export function shardListPath(page: { after?: string | null; limit?: number } = {}): string {
  const query = new URLSearchParams();
  if (page.after) query.set('after', page.after);
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  const text = query.toString();
  return text ? `${SHARDS_PATH}?${text}` : SHARDS_PATH;
}

/** The Range header asking a node for a non-empty window of a shard file. */
export const formatNodeRange = formatRangeRequest;

export interface NodeRegisterRequest {
  readonly nodeId: string;
  /** Base URL the gateway should use to reach the node, no trailing slash. */
  readonly url: string;
  readonly zone: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
  /** Needed only to admit a new identity; an id the gateway knows proves itself by `signature`. */
  readonly joinToken: string | null;
  /** base64url raw Ed25519 public key of the node. */
  readonly publicKey: string;
  /** Gateway time (ms) the registration was signed at. */
  readonly signedAtMs: number;
  /** base64url Ed25519 signature of `registrationMessage` by the node key. */
  readonly signature: string;
}

export interface NodeRegisterResponse {
  /** Hex secret that signs every gateway→node request; a fresh one at every registration. */
  readonly secret: string;
  /** Counts the node's secrets: 1 at the first registration, +1 at each rotation. */
  readonly secretEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The operator whose join token admitted the node (shown by `shardgate node status`); older gateways leave it out. */
  readonly operatorId?: string;
}

export interface NodeHeartbeatRequest {
  readonly nodeId: string;
  /** The URL the node serves at: a heartbeat vouches for the registered URL only. */
  readonly url: string;
  readonly freeBytes: number;
  readonly capacityBytes: number;
  /** Gateway time (ms) of signing; must be newer than the node's previous heartbeat. */
  readonly signedAtMs: number;
  /** base64url Ed25519 signature of `heartbeatMessage` by the node key. */
  readonly signature: string;
}

export const NODE_SCRUB_REPORT_PATH = '/_/nodes/scrub-report';
/** Shard ids per scrub report at most; a node with more sends several. */
export const MAX_SCRUB_REPORT_SHARDS = 256;

/** Shards the node's own scrub found corrupt (their bytes or hash list do not match). */
export interface NodeScrubReport {
  readonly nodeId: string;
  readonly corruptShards: readonly string[];
  /** Gateway time (ms) of signing; must be within the signature window. */
  readonly signedAtMs: number;
  /** base64url Ed25519 signature of `scrubReportMessage` by the node key. */
  readonly signature: string;
}

/** Why the gateway refused a registration or heartbeat (403/404 body). */
export type NodeRefusalCode =
  | 'INVALID_REQUEST'
  | 'JOIN_TOKEN_INVALID'
  | 'IDENTITY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SIGNED_AT_STALE'
  | 'NODE_TOMBSTONED'
  | 'URL_MISMATCH'
  | 'NOT_REGISTERED';

export interface NodeRefusal {
  readonly error: NodeRefusalCode;
  readonly message: string;
  /** The gateway's clock (ms), so a node whose signed time was off can correct and retry. */
  readonly gatewayTimeMs?: number;
}

export interface ShardUploadResponse {
  /** Bytes received and written (a whole number of chunks). */
  readonly length: number;
}

export interface ShardListResponse {
  readonly shards: readonly string[];
  /** Pass as `after` to get the next page; null on the last page. */
  readonly next: string | null;
}

/** Unauthenticated: liveness only, nothing that names or describes the node. */
export interface NodeHealthResponse {
  readonly status: 'ok';
}

/** Signed by the gateway (like every shard request): who the node is and its space. */
export interface NodeStatusResponse {
  readonly nodeId: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
  readonly shardCount: number;
}

export type NodeErrorCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_EXPIRED'
  | 'SIGNATURE_INVALID'
  | 'NOT_REGISTERED'
  | 'INVALID_SHARD_ID'
  | 'INVALID_PATH'
  | 'INVALID_REQUEST'
  | 'PARTIAL_CHUNK'
  | 'INCOMPLETE_BODY'
  | 'SHARD_NOT_FOUND'
  | 'UPLOAD_NOT_FOUND'
  | 'HASH_LIST_MISMATCH'
  | 'RANGE_NOT_SATISFIABLE'
  | 'INSUFFICIENT_STORAGE'
  | 'NOT_FOUND'
  /** 503: the node is draining before it exits (SIGTERM); requests in flight finish, new ones are refused. */
  | 'SHUTTING_DOWN'
  | 'INTERNAL_ERROR';

export interface NodeErrorBody {
  readonly error: NodeErrorCode;
  readonly message: string;
}

/** A JSON body that does not have the shape the protocol requires. */
export class NodeMessageError extends Error {
  readonly code = 'NODE_MESSAGE_INVALID';
  override name = 'NodeMessageError';
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function stringField(body: unknown, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value === '') throw new NodeMessageError(`${name} must be a non-empty string`);
  return value;
}

function optionalStringField(body: unknown, name: string): string | null {
  const value = field(body, name);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') throw new NodeMessageError(`${name} must be a non-empty string when present`);
  return value;
}

function byteCountField(body: unknown, name: string): number {
  const value = field(body, name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new NodeMessageError(`${name} must be a non-negative integer`);
  }
  return value;
}

export function parseNodeRegisterRequest(body: unknown): NodeRegisterRequest {
  const url = stringField(body, 'url');
  if (!/^https?:\/\/[^/]+$/.test(url)) throw new NodeMessageError('url must be an http(s) origin without a path');
  return {
    nodeId: stringField(body, 'nodeId'),
    url,
    zone: stringField(body, 'zone'),
    capacityBytes: byteCountField(body, 'capacityBytes'),
    freeBytes: byteCountField(body, 'freeBytes'),
    joinToken: optionalStringField(body, 'joinToken'),
    publicKey: stringField(body, 'publicKey'),
    signedAtMs: byteCountField(body, 'signedAtMs'),
    signature: stringField(body, 'signature'),
  };
}

export function parseNodeRegisterResponse(body: unknown): NodeRegisterResponse {
  const heartbeatIntervalMs = byteCountField(body, 'heartbeatIntervalMs');
  if (heartbeatIntervalMs < 10) throw new NodeMessageError('heartbeatIntervalMs must be at least 10');
  const operatorId = (body as { operatorId?: unknown } | null)?.operatorId;
  return {
    secret: stringField(body, 'secret'), secretEpoch: byteCountField(body, 'secretEpoch'), heartbeatIntervalMs,
    ...(typeof operatorId === 'string' ? { operatorId } : {}),
  };
}

export function parseNodeHeartbeatRequest(body: unknown): NodeHeartbeatRequest {
  return {
    nodeId: stringField(body, 'nodeId'),
    url: stringField(body, 'url'),
    freeBytes: byteCountField(body, 'freeBytes'),
    capacityBytes: byteCountField(body, 'capacityBytes'),
    signedAtMs: byteCountField(body, 'signedAtMs'),
    signature: stringField(body, 'signature'),
  };
}

export function parseNodeScrubReport(body: unknown): NodeScrubReport {
  const shards = (body as { corruptShards?: unknown } | null)?.corruptShards;
  if (!Array.isArray(shards) || shards.length === 0 || shards.length > MAX_SCRUB_REPORT_SHARDS || !shards.every((id) => typeof id === 'string' && isValidShardId(id))) {
    throw new NodeMessageError(`corruptShards must be 1 to ${MAX_SCRUB_REPORT_SHARDS} shard ids`);
  }
  return {
    nodeId: stringField(body, 'nodeId'),
    corruptShards: shards as string[],
    signedAtMs: byteCountField(body, 'signedAtMs'),
    signature: stringField(body, 'signature'),
  };
}

/** A refusal body, or null when the body is not one. */
export function parseNodeRefusal(body: unknown): NodeRefusal | null {
  const error = field(body, 'error');
  const message = field(body, 'message');
  if (typeof error !== 'string' || typeof message !== 'string') return null;
  const gatewayTimeMs = field(body, 'gatewayTimeMs');
  return {
    error: error as NodeRefusalCode,
    message,
    ...(typeof gatewayTimeMs === 'number' && Number.isSafeInteger(gatewayTimeMs) ? { gatewayTimeMs } : {}),
  };
}
