/**
 * Start `bme serve` from the built package as a child process on 127.0.0.1 with a free port,
 * and stop it by its PID. Shared by the e2e setup and the screenshot script.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = process.env.BME_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Install Debian's chromium when it is missing (scripts/install-chromium.sh). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync("sh", [join(REPO, "scripts/install-chromium.sh")], { stdio: "inherit" });
}

export interface ServeChild {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
}

/** Spawn the CLI's `serve` and wait (bounded) for the URL it prints. */
export async function startServe(
  args: readonly string[] = [],
  timeoutMs = 20_000,
): Promise<ServeChild> {
  const cli = process.env.BME_CLI ?? join(REPO, "dist/src/cli/main.js");
  if (!existsSync(cli)) throw new Error(`no built CLI at ${cli}: run npm run build first`);
  const web = join(process.env.BME_ROOT ?? REPO, "dist/web/index.html");
  if (!existsSync(web)) throw new Error(`no built dashboard at ${web}: run npm run build first`);
  const child = spawn(
    process.execPath,
    [cli, "serve", "--port", "0", "--host", "127.0.0.1", ...args],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: process.env },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
    if (m) return { url: m[0], pid: child.pid!, child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid) stopByPid(child.pid);
  throw new Error(`bme serve did not start within ${timeoutMs} ms:\n${out}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the server by PID, wait (bounded) for it to exit, SIGKILL if it does not. */
export async function stopByPid(pid: number, timeoutMs = 5_000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive(pid)) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, "SIGKILL");
}
