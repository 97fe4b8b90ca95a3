import { join } from "node:path";
import { ensureChromium, REPO, startServe, stopByPid } from "./server.js";

/**
 * Install chromium if needed, start `bme serve` (with the whitepaper scenario as its file) and
 * hand its URL to the tests; the returned teardown stops the server by its PID.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureChromium();
  const server = await startServe([join(REPO, "scenarios/whitepaper.yaml")]);
  process.env.BME_E2E_URL = server.url;
  return () => stopByPid(server.pid);
}
