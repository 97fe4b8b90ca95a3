/**
 * `npm run bench`: every benchmark of the project, one after the other. Figures and the
 * machine they were measured on are recorded in docs/benchmarks.md.
 */
import { cpus } from "node:os";
import { benchDashboard } from "./dashboard.js";
import { benchEngine } from "./engine.js";
import { benchFeedback } from "./feedback.js";
import { benchLedger } from "./ledger.js";
import { benchMarketplace } from "./marketplace.js";
import { benchMonteCarlo } from "./montecarlo.js";
import { benchPlugins } from "./plugins.js";
import { benchQueue } from "./queue.js";
import { benchStartup } from "./startup.js";
import { benchStress } from "./stress.js";

const benches: [string, () => Promise<string[]>][] = [
  ["engine", () => benchEngine()],
  ["montecarlo", () => benchMonteCarlo()],
  ["marketplace", () => benchMarketplace()],
  ["dashboard", () => benchDashboard()],
  ["queue", () => benchQueue()],
  ["ledger", () => benchLedger()],
  ["startup", () => benchStartup()],
  ["feedback", () => benchFeedback()],
  ["stress", () => benchStress()],
  ["plugins", () => benchPlugins()],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(
    `bme-sim benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
  );
  for (const [name, bench] of benches) {
    if (only.length > 0 && !only.includes(name)) continue;
    for (const line of await bench()) console.log(line);
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
});
