import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `bench/results/<name>-<UTC time>` without the extension: ISO 8601 with ':' replaced, so the
 * name is valid on every file system.
 */
export function resultsBasePath(name: string, startedAt: Date): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}-${startedAt.toISOString().slice(0, 19).replaceAll(':', '-')}Z`);
}

/** Writes a bench report as JSON (atomically: temp file, then rename); returns the file. */
export function writeResultsJson(name: string, report: object, startedAt: Date): string {
  const file = `${resultsBasePath(name, startedAt)}.json`;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}
