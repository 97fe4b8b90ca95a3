import { defineConfig } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS } from "./server.js";

/**
 * End-to-end tests of the dashboard in Debian's chromium (never a downloaded browser).
 * The global setup installs chromium if missing and starts `bme serve` from dist/; its returned
 * teardown stops the server by PID. Run: npm run build && npm run test:e2e
 */
export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: "../../out/e2e-results.json" }]],
  globalSetup: "./global-setup.ts",
  use: {
    browserName: "chromium",
    viewport: { width: 1440, height: 1000 },
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
});
