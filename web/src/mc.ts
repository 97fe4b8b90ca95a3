/** The Monte Carlo worker from the page's side: start, progress, cancel (terminate). */
import type { Scenario } from "../../src/scenario/schema.js";
import type { McMessage } from "./mc.worker.js";

export type McDone = Extract<McMessage, { type: "done" }>;

export interface McHandle {
  cancel(): void;
}

let nextId = 1;

export function startMonteCarlo(
  scenario: Scenario,
  runs: number,
  seed: number,
  on: { progress(done: number, runs: number): void; done(r: McDone): void; error(m: string): void },
): McHandle {
  const worker = new Worker(new URL("./mc.worker.ts", import.meta.url), { type: "module" });
  const id = nextId++;
  let finished = false;
  worker.onmessage = (e: MessageEvent<McMessage>) => {
    const m = e.data;
    if (m.id !== id) return;
    if (m.type === "progress") on.progress(m.done, m.runs);
    else {
      finished = true;
      worker.terminate();
      if (m.type === "done") on.done(m);
      else on.error(m.message);
    }
  };
  worker.onerror = (e) => {
    finished = true;
    worker.terminate();
    on.error(e.message || "the Monte Carlo worker failed");
  };
  worker.postMessage({ id, scenario, runs, seed });
  return {
    cancel() {
      if (!finished) worker.terminate();
      finished = true;
    },
  };
}
