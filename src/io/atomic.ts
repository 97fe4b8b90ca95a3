import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

let serial = 0;
/**
 * A file-name part no other writer uses at the same time: process id, a serial number and a
 * random number. Not node:crypto, whose loading alone is a third of `bme --help`'s start-up.
 */
function uniqueSuffix(): string {
  const random = Math.floor(Math.random() * 2 ** 32).toString(36);
  return `${process.pid.toString(36)}-${(serial++).toString(36)}-${random}`;
}

/** An output path that cannot be written; `path` is the one the user gave. */
export class OutputPathError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "OutputPathError";
  }
}

/** An empty path (`--out ""`) would resolve to the working folder: refused, not written into. */
function refuseEmpty(path: string, what: "file" | "folder"): void {
  if (path.trim() === "")
    throw new OutputPathError('""', `an empty path names no ${what} (give one, e.g. ./out)`);
}

/** The nearest existing folder at or above `dir`. */
function existingAncestor(dir: string): string {
  let d = resolve(dir);
  while (!existsSync(d)) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Check, before any work, that a file can be written at `path`: it is not a directory, not one
 * of `inputs` (e.g. the scenario), and its folder exists or can be created and is writable.
 * Throws OutputPathError naming the path.
 */
export function checkOutputFile(path: string, inputs: readonly string[] = []): void {
  refuseEmpty(path, "file");
  const abs = resolve(path);
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (st.isDirectory()) throw new OutputPathError(path, "is a directory, not a file");
    if (!st.isFile()) throw new OutputPathError(path, "is not a regular file");
    for (const input of inputs)
      if (sameFile(abs, input))
        throw new OutputPathError(path, `is the input file ${input}; choose another output`);
  }
  checkWritableFolder(path, dirname(abs));
}

/**
 * Check that `dir` is (or can be created as) a writable folder, not one of `inputs`' files.
 * Throws OutputPathError naming `dir`.
 */
export function checkOutputDir(dir: string, inputs: readonly string[] = []): void {
  refuseEmpty(dir, "folder");
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory())
    throw new OutputPathError(
      dir,
      inputs.some((i) => sameFile(abs, i))
        ? "is the input file; an output folder is needed"
        : "is a file; an output folder is needed",
    );
  checkWritableFolder(dir, abs);
}

function checkWritableFolder(shown: string, folder: string): void {
  const base = existingAncestor(folder);
  if (!statSync(base).isDirectory())
    throw new OutputPathError(shown, `${base} is a file, so the folder cannot be created`);
  // a probe file, not only access(): root passes access() where the file system still refuses
  const probe = join(base, `.bme-probe-${uniqueSuffix()}`);
  try {
    accessSync(base, constants.W_OK | constants.X_OK);
    writeFileSync(probe, "", { flag: "wx" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "permission denied";
    // name the folder the output needs: a missing one is to be created inside `base`
    throw new OutputPathError(
      shown,
      resolve(folder) === base
        ? `cannot write in ${realpathSync(base)} (${code})`
        : `its folder ${resolve(folder)} does not exist and cannot be created in ${realpathSync(base)} (${code})`,
    );
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * Write `data` to `path` atomically: into a temporary file beside it, then renamed over it, so
 * a failure never leaves a partial file (and an old file stays whole until the new one is).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(resolve(path));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new OutputPathError(
      path,
      `cannot create its folder (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  const tmp = join(dir, `.${basename(path)}.${uniqueSuffix()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OutputPathError(
      path,
      `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was left behind`,
    );
  }
}

/** A temporary path beside `path` (same folder, so a rename never crosses file systems). */
export function tempPathFor(path: string): string {
  return join(dirname(resolve(path)), `.${basename(path)}.${uniqueSuffix()}.tmp`);
}

/**
 * The same for a writer that needs a path (e.g. DuckDB's COPY): `write(tmp)` writes the
 * temporary file, which is then renamed to `path`; on failure it is removed and nothing is left.
 */
export async function withAtomicPath<T>(
  path: string,
  write: (tmp: string) => Promise<T>,
): Promise<T> {
  mkdirSync(dirname(resolve(path)), { recursive: true });
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
