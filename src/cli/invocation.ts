/**
 * How `bme` was started, where that changes behaviour: through `npm run bme -- …` npm runs
 * the command in the package root, so the user's relative paths would resolve there; and a
 * long-running command (serve, worker) would outlive npm when npm is stopped, because the
 * shell npm starts does not pass the signal on.
 */

/**
 * The directory the user ran this package's `npm run bme` from (npm's INIT_CWD), or undefined
 * otherwise — including a script of the user's own project that happens to be called `bme`
 * (it chose its own directory).
 */
export function userDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.npm_lifecycle_event === "bme" && env.npm_package_name === "bme-sim" && env.INIT_CWD
    ? env.INIT_CWD
    : undefined;
}

/**
 * Under an npm script, call `stop` once the process that started this one is gone (this
 * process is then re-parented, so its parent PID changes). Checked every `everyMs`; the timer
 * does not keep the process alive. Returns a function that stops watching.
 */
export function stopWithParent(
  stop: () => void,
  { env = process.env, everyMs = 500 }: { env?: NodeJS.ProcessEnv; everyMs?: number } = {},
): () => void {
  if (env.npm_lifecycle_event === undefined) return () => {};
  const parent = process.ppid;
  const t = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(t);
      stop();
    }
  }, everyMs);
  t.unref();
  return () => clearInterval(t);
}
