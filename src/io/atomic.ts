import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A temporary path beside `path` (same folder, so a rename never crosses file systems). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/**
 * Write `data` to `path` atomically: into a temporary file beside it, then renamed over it.
 * A reader sees the old file or the new one, never half of one; a failed write leaves the
 * old file as it was. Folders are created as needed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The same for a writer that needs a path (e.g. DuckDB's COPY): `write(tmp)` writes the
 * temporary file, which is then renamed to `path`; on failure it is removed.
 */
export async function withAtomicPath<T>(
  path: string,
  write: (tmp: string) => Promise<T>,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const result = await write(tmp);
    renameSync(tmp, path);
    return result;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
