import { createBunRedisClient, type IRedisClient } from "bullmq";
import { RespClient } from "./resp.js";
import { type QueueAddress, QueueError } from "./url.js";

/**
 * Two connections to one Redis: `bull`, handed to BullMQ (which duplicates it for its blocking
 * reads and reconnects it by itself), and `direct`, for this module's own commands (the
 * registry of experiments, chunk bytes), reconnected on demand.
 */
export interface QueueConnection {
  readonly address: QueueAddress;
  readonly bull: IRedisClient;
  /** Run a command on the direct connection, reconnecting first if it dropped. */
  command<T = unknown>(cmd: string, args: readonly (string | Buffer | number)[]): Promise<T>;
  /** The same, with bulk replies as Buffers. */
  commandBuffer(cmd: string, args: readonly (string | Buffer | number)[]): Promise<Buffer | null>;
  close(): Promise<void>;
}

/** Why a connection failed, in words a user can act on. */
export function describeRedisError(address: QueueAddress, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const why = (err.code === "EPROTO" ? err.message : err.code) ?? err.message ?? String(e);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(err.message ?? ""))
    return `Redis at ${address.display} refused the credentials (${(err.message ?? "").split("\n")[0]}); check the password (BME_REDIS_PASSWORD or the URL)`;
  return `cannot reach Redis at ${address.display} (${why}); is redis-server running and reachable from here?`;
}

/** Connect (bounded by the address' connect timeout); a QueueError names the address, never the password. */
export async function connectQueue(address: QueueAddress): Promise<QueueConnection> {
  const direct = new RespClient(address.options);
  try {
    await direct.connect();
    await direct.send("PING", []);
  } catch (e) {
    direct.close();
    throw new QueueError(describeRedisError(address, e));
  }
  const raw = new RespClient(address.options);
  try {
    await raw.connect();
  } catch (e) {
    direct.close();
    throw new QueueError(describeRedisError(address, e));
  }
  const bull = createBunRedisClient(raw, { lazyConnect: true });
  // BullMQ reports connection errors through 'error' events: the caller watches liveness itself
  bull.on("error", () => {});
  await bull.connect();
  const ensure = async () => {
    if (!direct.connected) await direct.connect();
  };
  return {
    address,
    bull,
    async command<T>(cmd: string, args: readonly (string | Buffer | number)[]) {
      await ensure();
      return direct.send<T>(cmd, args);
    },
    async commandBuffer(cmd, args) {
      await ensure();
      return direct.sendBuffer<Buffer | null>(cmd, args);
    },
    async close() {
      direct.close();
      await bull.quit().catch(() => {});
    },
  };
}

/** Wait for `p`, but no longer than `ms` (closing BullMQ objects can wait on a Redis that is gone). */
export async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}
