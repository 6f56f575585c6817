/** fsync of a file or directory by path: for a directory, the entries in it (a rename into it) reach stable storage. */
import { open } from 'node:fs/promises';

export async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
