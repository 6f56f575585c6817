/**
 * Capacity and free space a node reports. Capacity is the configured figure or, when none is set,
 * the size of the file system holding the data directory. Free space is what the disk has left,
 * but never more than the configured capacity minus the bytes the node already stores: an
 * operator who offers 100 GB of a 4 TB disk is placed as a 100 GB node.
 */
import { statfs } from 'node:fs/promises';

export interface NodeSpace {
  readonly capacityBytes: number;
  readonly freeBytes: number;
}

export async function readNodeSpace(dataDir: string, configuredCapacityBytes: number | null, usedBytes: number): Promise<NodeSpace> {
  const disk = await statfs(dataDir);
  const diskBytes = disk.blocks * disk.bsize;
  const diskFreeBytes = disk.bavail * disk.bsize;
  if (configuredCapacityBytes === null) return { capacityBytes: diskBytes, freeBytes: diskFreeBytes };
  return {
    capacityBytes: configuredCapacityBytes,
    freeBytes: Math.max(0, Math.min(diskFreeBytes, configuredCapacityBytes - usedBytes)),
  };
}
