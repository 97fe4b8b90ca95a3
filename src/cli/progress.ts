import { createRequire } from "node:module";
import type CliProgress from "cli-progress";

/** cli-progress draws the bar on a terminal only; it is loaded then, not by every experiment. */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)("cli-progress");

/** Progress of long work: a bar with rate and ETA on a terminal, plain lines every ~5 s otherwise. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progress(label: string, unit: string, quiet: boolean): Progress {
  if (quiet) return { update() {}, stop() {} };
  const started = Date.now();
  if (process.stderr.isTTY) {
    const cliProgress = loadCliProgress();
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(done, total) {
        const rate = Math.round(done / Math.max(1e-3, (Date.now() - started) / 1000));
        if (!begun) {
          bar.start(total, done, { rate });
          begun = true;
        } else bar.update(done, { rate });
      },
      stop() {
        if (begun) bar.stop();
      },
    };
  }
  let last = started;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 5000 && done < total) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = done / Math.max(1e-3, seconds);
      const eta = rate > 0 ? (total - done) / rate : 0;
      process.stderr.write(
        `${label}: ${done}/${total} ${unit}, ${Math.round(rate)} ${unit}/s, ETA ${eta.toFixed(0)} s\n`,
      );
    },
    stop() {},
  };
}
