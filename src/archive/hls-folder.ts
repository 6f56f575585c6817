/**
 * The files of an HLS folder on disk: a recursive listing with relative POSIX paths (symlinks
 * followed only while they stay inside the folder), and one streaming pass per file for its
 * size and CRC-32.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { ArchiveError } from './errors.ts';

export interface FolderFile {
  /** Relative to the folder, `/`-separated: the member name. */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

/** Every regular file under `root`, sorted by path; `exclude` holds absolute paths to leave out. */
export async function listFolder(root: string, exclude: ReadonlySet<string> = new Set()): Promise<FolderFile[]> {
  const rootReal = await realpath(root).catch(() => {
    throw new ArchiveError('HLS_INPUT', `${root}: no such folder`);
  });
  if (!(await stat(rootReal)).isDirectory()) throw new ArchiveError('HLS_INPUT', `${root} is not a folder`);
  const excluded = new Set([...exclude].map((file) => path.resolve(file)));
  const files: FolderFile[] = [];
  const seenDirectories = new Set<string>();
  const walk = async (directory: string, relative: string): Promise<void> => {
    const real = await realpath(directory);
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    for (const entry of (await readdir(directory)).sort()) {
      const absolutePath = path.join(directory, entry);
      const relativePath = relative === '' ? entry : `${relative}/${entry}`;
      if (excluded.has(path.resolve(absolutePath))) continue;
      let info = await lstat(absolutePath);
      if (info.isSymbolicLink()) {
        const target = await realpath(absolutePath).catch(() => null);
        if (target === null || (target !== rootReal && !target.startsWith(rootReal + path.sep))) {
          throw new ArchiveError('HLS_INPUT', `${relativePath} is a symbolic link to outside the folder`, relativePath);
        }
        if (excluded.has(target)) continue;
        info = await stat(absolutePath);
      }
      if (info.isDirectory()) await walk(absolutePath, relativePath);
      else if (info.isFile()) files.push({ path: relativePath, absolutePath, size: info.size, modifiedAt: info.mtime });
      else throw new ArchiveError('HLS_INPUT', `${relativePath} is not a regular file`, relativePath);
    }
  };
  await walk(rootReal, '');
  return files;
}

/** CRC-32 of a file, checking it still has its listed size; `onBytes` reports progress. */
export async function fileCrc32(file: FolderFile, onBytes: (count: number) => void = () => {}): Promise<number> {
  let checksum = 0;
  let length = 0;
  for await (const piece of readFile(file)) {
    checksum = crc32(piece, checksum);
    length += piece.length;
    onBytes(piece.length);
  }
  if (length !== file.size) {
    throw new ArchiveError('ZIP_MEMBER_CHANGED', `${file.path} changed while packing (${length} bytes, listed ${file.size})`, file.path);
  }
  return checksum;
}

export function readFile(file: FolderFile): AsyncIterable<Uint8Array> {
  return createReadStream(file.absolutePath, { highWaterMark: 256 * 1024 });
}
