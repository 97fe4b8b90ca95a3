/**
 * The README's screenshots of the dashboard's main views, taken in Debian's chromium from the
 * built package:  npm run build && npx tsx scripts/dashboard-screenshots.ts
 * Writes docs/images/dashboard-{explore,montecarlo,compare}.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "@playwright/test";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureChromium,
  REPO,
  startServe,
  stopByPid,
} from "../test/e2e/server.js";

type Win = { __bme: { ready: boolean; mcRuns: number | null } };

async function shoot(page: Page, url: string, file: string, mcRuns?: number): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as Win).__bme?.ready);
  if (mcRuns !== undefined)
    await page.waitForFunction((n) => (globalThis as unknown as Win).__bme.mcRuns === n, mcRuns, {
      timeout: 60_000,
    });
  await page.waitForTimeout(300);
  await page.screenshot({ path: file });
  console.log(`wrote ${file}`);
}

async function main(): Promise<void> {
  ensureChromium();
  const out = join(REPO, "docs/images");
  mkdirSync(out, { recursive: true });
  const server = await startServe();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
    const u = server.url;
    await shoot(
      page,
      `${u}?s=whitepaper&set=onchain.buybackModulation%3D0.8`,
      join(out, "dashboard-explore.png"),
    );
    await shoot(page, `${u}?s=whitepaper&mc=500`, join(out, "dashboard-montecarlo.png"), 500);
    await shoot(
      page,
      `${u}?s=whitepaper&set=onchain.buybackModulation%3D0.5&set=onchain.fiatOperationsFraction%3D0.4&pin=1`,
      join(out, "dashboard-compare.png"),
    );
  } finally {
    await browser.close();
    await stopByPid(server.pid);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
