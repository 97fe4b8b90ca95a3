import { fstatSync, statSync, writeSync } from "node:fs";

/**
 * Whether standard output is one that node writes with `fs.writeSync(1, …)` anyway (its
 * process.stdout is then a SyncWriteStream, libuv's "file" handle type): a regular file or
 * /dev/null. Pipes, sockets, terminals and other devices get process.stdout (telling a terminal
 * from another device takes node:tty, which loads node's network streams).
 */
function outputIsFile(): boolean {
  try {
    const stat = fstatSync(1);
    if (stat.isFile()) return true;
    return stat.isCharacterDevice() && stat.rdev === statSync("/dev/null").rdev;
  } catch {
    return false; // fd 1 closed or unusual: leave it to node
  }
}

let direct: boolean | undefined;

/** Whether standard output is a regular file or /dev/null (asked once). */
export function stdoutIsFile(): boolean {
  direct ??= outputIsFile();
  return direct;
}

/**
 * Write `text` to standard output, byte for byte what `process.stdout.write(text)` writes.
 * Into a file it is written directly: building process.stdout loads node's streams, about a
 * third of `bme --help`'s own work (docs/benchmarks.md, start-up). Pipes and terminals go
 * through process.stdout, which keeps node's handling of them (a closed pipe, a slow reader).
 */
export function writeOut(text: string): void {
  if (!stdoutIsFile()) {
    process.stdout.write(text);
    return;
  }
  try {
    writeSync(1, text);
  } catch (e) {
    outputFailed(e as NodeJS.ErrnoException);
  }
}

/**
 * Standard output could not be written (a full disk, /dev/full, …): say so in one line and exit
 * 1, whichever way the output went (a direct write or node's stream). A closed pipe is not
 * this: the reader has what it wanted, and the command stops quietly (src/cli/main.ts).
 */
export function outputFailed(e: NodeJS.ErrnoException): never {
  process.stderr.write(`error: cannot write the output: ${e.code ?? e.message}\n`);
  process.exit(1);
}

/**
 * Whether help and messages written to standard output keep their colours: commander's own
 * rule (`fallback`, which asks process.stdout) except into a file, which only the environment's
 * FORCE_COLOR or CLICOLOR_FORCE colours (commander's useColor) and NO_COLOR keeps plain.
 */
export function outHasColors(fallback: () => boolean): boolean {
  if (!stdoutIsFile()) return fallback();
  const env = process.env;
  if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  return Boolean(env.FORCE_COLOR) || env.CLICOLOR_FORCE !== undefined;
}
