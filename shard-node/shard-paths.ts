/**
 * Where a shard node keeps things inside its data directory. Every path is built from a shard id
 * that has passed `isValidShardId` (`<32 hex>.<digits>`), so no request can name a path outside
 * the data directory: there is no other way to get a path out of this class.
 *
 *   <data>/node.json                       persistent node id
 *   <data>/node-key.pem                    the node's Ed25519 private key (0600)
 *   <data>/shards/<first 2 hex>/<id>       committed shard file
 *   <data>/shards/<first 2 hex>/<id>.hashes  its hash list (32 bytes per chunk)
 *   <data>/tmp/<id>.<token>.part           an upload in progress (+ `.hashes` when it ends)
 *   <data>/tmp/<id>.data, <id>.hashes      the latest finished upload, waiting for its commit
 */
import path from 'node:path';
import { isValidShardId } from '../src/node-protocol/routes.ts';
import { InvalidShardIdError } from './errors.ts';

export function assertShardId(shardId: string): string {
  if (!isValidShardId(shardId)) throw new InvalidShardIdError();
  return shardId;
}

export class ShardPaths {
  readonly dataDir: string;
  readonly shardsDir: string;
  readonly tmpDir: string;
  readonly nodeFile: string;
  readonly nodeKeyFile: string;

  constructor(dataDir: string) {
    this.dataDir = path.resolve(dataDir);
    this.shardsDir = path.join(this.dataDir, 'shards');
    this.tmpDir = path.join(this.dataDir, 'tmp');
    this.nodeFile = path.join(this.dataDir, 'node.json');
    this.nodeKeyFile = path.join(this.dataDir, 'node-key.pem');
  }

  shardDir(shardId: string): string {
    return path.join(this.shardsDir, assertShardId(shardId).slice(0, 2));
  }

  shardFile(shardId: string): string {
    return path.join(this.shardDir(shardId), shardId);
  }

  hashListFile(shardId: string): string {
    return path.join(this.shardDir(shardId), `${shardId}.hashes`);
  }

  /** The finished upload waiting for a commit. */
  pendingFile(shardId: string): string {
    return path.join(this.tmpDir, `${assertShardId(shardId)}.data`);
  }

  pendingHashListFile(shardId: string): string {
    return path.join(this.tmpDir, `${assertShardId(shardId)}.hashes`);
  }

  /** An upload being received; `token` keeps concurrent uploads of one id apart. */
  uploadFile(shardId: string, token: string): string {
    if (!/^[0-9a-f]{12}$/.test(token)) throw new RangeError('upload token must be 12 hex digits');
    return path.join(this.tmpDir, `${assertShardId(shardId)}.${token}.part`);
  }

  /** Prefix shared by every temp file of one shard id (the id's own dot is followed by digits). */
  tempPrefix(shardId: string): string {
    return `${assertShardId(shardId)}.`;
  }
}
