/**
 * The node's persistent id, kept in `<data>/node.json` so a restarted node keeps its shards and
 * its place in the gateway's placement. Written once (temp file, fsync, rename); a file that
 * exists but cannot be read as an id is an error, never silently replaced: a new id would orphan
 * every shard the gateway has placed on this node.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';

const NODE_ID_PATTERN = /^[0-9a-f]{32}$/;

export class NodeIdentityError extends Error {
  readonly code = 'NODE_IDENTITY_INVALID';
  override name = 'NodeIdentityError';
}

export async function loadOrCreateNodeId(nodeFile: string): Promise<string> {
  let text: string | null = null;
  try {
    text = await readFile(nodeFile, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
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
  const tempFile = `${nodeFile}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tempFile, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify({ nodeId, createdAt: new Date().toISOString() }, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempFile, nodeFile);
  return nodeId;
}
