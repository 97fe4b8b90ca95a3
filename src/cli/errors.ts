import { OutputPathError } from "../io/atomic.js";
import { ScenarioError } from "../scenario/errors.js";

/**
 * Exit codes (docs/limits.md): 0 done, 1 the run itself failed (an invariant, a non-finite
 * value, a failed Monte Carlo run, the store), 2 bad input (scenario, option, path), 3 the
 * work succeeded and its verdict is a fail (`bme stress`: a shock failed its thresholds),
 * 130 interrupted by Ctrl-C (finished points kept; `--resume` completes it).
 */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** A verdict that failed: told apart from an engine error (1) so a script can branch on it. */
export const EXIT_VERDICT_FAILED = 3;
export const EXIT_INTERRUPTED = 130;

/** An error meant for the user: printed without a stack trace, exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_BAD_INPUT,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * The exit code of a results-store refusal (src/results/errors.ts) by its reason: 1 when the
 * store is in use by another process or the program is at fault (`busy`, `internal`: the input
 * was fine), 2 when the user named something that is not there or not a store.
 */
export function storeExitCode(reason: string | undefined): number {
  return reason === "busy" || reason === "internal" ? EXIT_FAILURE : EXIT_BAD_INPUT;
}

/** Print an error the way a user should see it and return the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof ScenarioError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof OutputPathError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.code;
  }
  if (e instanceof Error && e.name === "StoreError") {
    // the results store's own errors (in use by another process, not a store, …) are for the user
    process.stderr.write(`error: ${e.message}\n`);
    return storeExitCode((e as Error & { reason?: string }).reason);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`error: ${err.message}\n`);
  if (process.env.BME_DEBUG) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write("(an unexpected error: set BME_DEBUG=1 to see where it came from)\n");
  return EXIT_FAILURE;
}

/** Wrap a command action: errors become messages and exit codes, never stack traces. */
export function action<A extends unknown[]>(
  fn: (...args: A) => void | Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}
