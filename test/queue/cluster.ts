/**
 * Test helpers: a throwaway redis-server on 127.0.0.1 and `bme` child processes, every one
 * stopped by its PID. Waits are bounded loops; nothing asserts on timing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { Redis as IORedis } from "ioredis";

export const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;

export function requireBuild(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json)`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A child process with its output collected. */
export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  out(): string;
  err(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

const children = new Set<Child>();

export function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => {
    out += d;
  });
  proc.stderr!.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const child: Child = { proc, pid: proc.pid!, out: () => out, err: () => err, exited };
  children.add(child);
  exited.then(() => children.delete(child));
  return child;
}

export function bme(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return start(process.execPath, [CLI, ...args], env);
}

/** Stop one child by PID (SIGTERM, then SIGKILL after a bounded wait). */
export async function stop(child: Child, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  process.kill(child.pid, signal);
  const t = setTimeout(() => {
    if (child.proc.exitCode === null && child.proc.signalCode === null)
      process.kill(child.pid, "SIGKILL");
  }, 10_000);
  await child.exited;
  clearTimeout(t);
}

/** Stop every child still running, each by its PID. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

/** A plain client for the tests' own looks into Redis: one command at a time, replies as Redis gives them. */
export interface RedisClient {
  send<T = unknown>(command: string, args: readonly (string | number)[]): Promise<T>;
  close(): void;
}

export interface Redis {
  readonly port: number;
  readonly url: string;
  readonly child: Child;
  client(): Promise<RedisClient>;
}

async function connectClient(opts: {
  port: number;
  password?: string;
  connectTimeout: number;
}): Promise<RedisClient> {
  const c = new IORedis({
    host: "127.0.0.1",
    ...opts,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  c.on("error", () => {});
  try {
    await c.connect();
  } catch (e) {
    c.disconnect();
    throw e;
  }
  return {
    send: <T>(command: string, args: readonly (string | number)[]) =>
      c.call(command, ...args) as Promise<T>,
    close: () => c.disconnect(),
  };
}

export async function startRedis(extra: string[] = []): Promise<Redis> {
  const port = await freePort();
  const child = start("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    ...extra,
  ]);
  const opts = { port, connectTimeout: 1000 };
  const password = extra.includes("--requirepass")
    ? extra[extra.indexOf("--requirepass") + 1]
    : undefined;
  await waitFor("redis-server to answer", async () => {
    let c: RedisClient | undefined;
    try {
      c = await connectClient({ ...opts, password });
      return (await c.send("PING", [])) === "PONG";
    } catch {
      return false;
    } finally {
      c?.close();
    }
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    child,
    client: () => connectClient({ ...opts, password }),
  };
}
