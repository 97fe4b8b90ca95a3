/**
 * Dashboard latency in the browser: move the buyback slider N times and read, in the page
 * (performance.now), the time from the slider's input event to every chart redrawn (the whole
 * whitepaper scenario re-simulated, Preact re-rendered, seven ECharts canvases redrawn). Also
 * the time of a 1,000-run Monte Carlo in the worker. Needs Debian's chromium
 * (scripts/install-chromium.sh) and the built dashboard (npm run build).
 */
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { packagePaths, startServer } from "../src/server/index.js";

const CHROMIUM = process.env.BME_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]);
}

interface Probe {
  ready: boolean;
  redraws: number;
  latencies: number[];
  simulateMs: number | null;
  drawMs: number | null;
  mcRuns: number | null;
}
type Win = { __bme: Probe };

export async function benchDashboard(moves = 200, warmup = 20): Promise<string[]> {
  if (!existsSync(CHROMIUM))
    return [`dashboard: skipped (no chromium at ${CHROMIUM}: run scripts/install-chromium.sh)`];
  if (!existsSync(`${packagePaths().webDir}/index.html`))
    return ["dashboard: skipped (the dashboard is not built: run npm run build)"];
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(`${server.url}?s=whitepaper`);
    await page.waitForFunction(() => (globalThis as unknown as Win).__bme?.ready, null, {
      timeout: 20_000,
    });
    const sims: number[] = [];
    const draws: number[] = [];
    for (let i = 0; i < warmup + moves; i++) {
      const value = String(0.5 + 0.5 * ((i % 20) / 20) + 0.0125); // a new value every move
      const parts = await page.evaluate(async (v) => {
        const w = globalThis as unknown as Win;
        const before = w.__bme.redraws;
        type El = { value: string; dispatchEvent(e: Event): boolean };
        const doc = (globalThis as unknown as { document: { querySelector(s: string): El } })
          .document;
        const el = doc.querySelector('[data-testid="slider-buybackModulation"]');
        el.value = v;
        el.dispatchEvent(new Event("input", { bubbles: true }));
        const t0 = performance.now();
        while (w.__bme.redraws === before && performance.now() - t0 < 5000)
          await new Promise((r) => setTimeout(r, 0));
        return [w.__bme.simulateMs ?? Number.NaN, w.__bme.drawMs ?? Number.NaN];
      }, value);
      if (i >= warmup) {
        sims.push(parts[0]);
        draws.push(parts[1]);
      }
    }
    sims.sort((a, b) => a - b);
    draws.sort((a, b) => a - b);
    const all = await page.evaluate(() => (globalThis as unknown as Win).__bme.latencies);
    const lat = all.slice(warmup).sort((a, b) => a - b);
    // Monte Carlo: 1,000 runs in the worker, bands and metrics included
    await page.goto(`${server.url}?s=whitepaper&mc=1000`);
    await page.waitForFunction(() => (globalThis as unknown as Win).__bme?.mcRuns === 1000, null, {
      timeout: 120_000,
    });
    const mcText = await page.getByTestId("mc-info").textContent();
    const mcMs = /in (\d+) ms/.exec(mcText ?? "")?.[1] ?? "?";
    return [
      `dashboard: slider input → 7 charts redrawn (whitepaper, 180 days), ${lat.length} moves in chromium: median ${quantile(lat, 0.5).toFixed(2)} ms, p95 ${quantile(lat, 0.95).toFixed(2)} ms, max ${lat[lat.length - 1].toFixed(2)} ms`,
      `dashboard:   of which the engine (compile + 1 run; the schema parse is not in it) median ${quantile(sims, 0.5).toFixed(2)} ms, the charts' setOption median ${quantile(draws, 0.5).toFixed(2)} ms`,
      `dashboard: Monte Carlo 1,000 runs (whitepaper) in a web worker, bands and metrics included: ${mcMs} ms`,
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

const isEntry = process.argv[1]?.endsWith("bench/dashboard.js");
if (isEntry) benchDashboard().then((lines) => console.log(lines.join("\n")));
