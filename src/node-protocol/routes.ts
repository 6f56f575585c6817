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
 *   GET    /health                    unsigned                    → 200 NodeHealthResponse
 * Gateway endpoints the node calls:
 *   POST   /_/nodes/register          NodeRegisterRequest         → 200 NodeRegisterResponse, 403
 *   POST   /_/nodes/heartbeat         NodeHeartbeatRequest, signed → 204
 * Errors from a node carry a JSON body `NodeErrorBody`.
 */

/** `<32 hex: segment id>.<shard index>`, e.g. `0123456789abcdef0123456789abcdef.5`. */
import { formatRangeRequest } from '../byte-range.ts';

export const SHARD_ID_PATTERN = /^[0-9a-f]{32}\.[0-9]{1,3}$/;

export function isValidShardId(id: string): boolean {
  return SHARD_ID_PATTERN.test(id);
}

export const HEALTH_PATH = '/health';
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
  readonly joinToken: string;
}

export interface NodeRegisterResponse {
  /** Hex secret that signs every request in both directions. */
  readonly secret: string;
  readonly heartbeatIntervalMs: number;
}

export interface NodeHeartbeatRequest {
  readonly nodeId: string;
  readonly freeBytes: number;
  readonly capacityBytes: number;
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

export interface NodeHealthResponse {
  readonly nodeId: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
  readonly shardCount?: number;
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
    joinToken: stringField(body, 'joinToken'),
  };
}

export function parseNodeRegisterResponse(body: unknown): NodeRegisterResponse {
  const heartbeatIntervalMs = byteCountField(body, 'heartbeatIntervalMs');
  if (heartbeatIntervalMs < 10) throw new NodeMessageError('heartbeatIntervalMs must be at least 10');
  return { secret: stringField(body, 'secret'), heartbeatIntervalMs };
}

export function parseNodeHeartbeatRequest(body: unknown): NodeHeartbeatRequest {
  return {
    nodeId: stringField(body, 'nodeId'),
    freeBytes: byteCountField(body, 'freeBytes'),
    capacityBytes: byteCountField(body, 'capacityBytes'),
  };
}
