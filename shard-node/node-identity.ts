/**
 * The node's persistent identity: its id in `<data>/node.json` and its Ed25519 private key in
 * `<data>/node-key.pem` (mode 0600, like an ssh key). The gateway binds the id to the key's public
 * half at the first registration; from then on only this key can re-register the id, move its URL
 * or heartbeat for it. Each file is written once (temp file, fsync, rename); a file that exists
 * but cannot be read — or a key file that others may read — is an error, never silently replaced:
 * a new id would orphan every shard the gateway has placed on this node, and a new key would be
 * refused by the gateway as an impostor.
 *
 * A data directory from before node keys (node.json only) gets its key on the next start.
 */
import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat } from 'node:fs/promises';
import { exportPrivateKeyPem, generateNodeKeyPair, importPrivateKeyPem, publicKeyOf } from '../src/node-protocol/node-key.ts';

const NODE_ID_PATTERN = /^[0-9a-f]{32}$/;

export class NodeIdentityError extends Error {
  readonly code = 'NODE_IDENTITY_INVALID';
  override name = 'NodeIdentityError';
}

export interface NodeIdentity {
  readonly nodeId: string;
  readonly privateKey: KeyObject;
  /** base64url raw public key, as registered with the gateway. */
  readonly publicKey: string;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    return null;
  }
}

/** Writes `text` to `file` atomically; fails if `file` appears meanwhile (never overwrites). */
async function writeOnce(file: string, text: string, mode: number): Promise<void> {
  const tempFile = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tempFile, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempFile, file);
}

export async function loadOrCreateNodeId(nodeFile: string): Promise<string> {
  const text = await readIfExists(nodeFile);
  if (text !== null) {
    let nodeId: unknown;
    try {
      nodeId = (JSON.parse(text) as { nodeId?: unknown }).nodeId;
    } catch {
      throw new NodeIdentityError(`${nodeFile} is not valid JSON; fix or remove it`);
    }
    if (typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) {
      throw new NodeIdentityError(`${nodeFile} has no valid nodeId (32 hex digits); fix or remove it`);
    }
    return nodeId;
  }
  const nodeId = randomBytes(16).toString('hex');
  await writeOnce(nodeFile, `${JSON.stringify({ nodeId, createdAt: new Date().toISOString() }, null, 2)}\n`, 0o644);
  return nodeId;
}

async function loadOrCreateNodeKey(keyFile: string): Promise<KeyObject> {
  const pem = await readIfExists(keyFile);
  if (pem === null) {
    const privateKey = generateNodeKeyPair();
    await writeOnce(keyFile, exportPrivateKeyPem(privateKey), 0o600);
    return privateKey;
  }
  const { mode } = await stat(keyFile);
  if ((mode & 0o077) !== 0) {
    throw new NodeIdentityError(`${keyFile} is readable by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
  }
  try {
    return importPrivateKeyPem(pem);
  } catch {
    throw new NodeIdentityError(`${keyFile} is not an Ed25519 private key in PEM; restore it from a backup (a new key makes the gateway refuse this node)`);
  }
}

/** The node id and key pair of a data directory, created on first start. */
export async function loadOrCreateNodeIdentity(paths: { readonly nodeFile: string; readonly nodeKeyFile: string }): Promise<NodeIdentity> {
  const nodeId = await loadOrCreateNodeId(paths.nodeFile);
  const privateKey = await loadOrCreateNodeKey(paths.nodeKeyFile);
  return { nodeId, privateKey, publicKey: publicKeyOf(privateKey) };
}

/**
 * The identity of an existing data directory, never creating one: for commands an operator runs
 * beside a node (`shardgate node earnings`). NodeIdentityError when either file is missing.
 */
export async function readNodeIdentity(paths: { readonly nodeFile: string; readonly nodeKeyFile: string }): Promise<NodeIdentity> {
  for (const file of [paths.nodeFile, paths.nodeKeyFile]) {
    if (await readIfExists(file) === null) throw new NodeIdentityError(`${file} does not exist: give the --data-dir of a node that has started once`);
  }
  return loadOrCreateNodeIdentity(paths);
}
