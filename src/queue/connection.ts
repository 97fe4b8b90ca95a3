import { isIP } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { type QueueAddress, QueueError, type RedisAddressOptions } from "./url.js";

/**
 * Two ioredis connections to one Redis. `bull` is handed to BullMQ (which duplicates it for
 * its blocking reads and reconnects by itself); `direct` runs this module's own commands (the
 * registry of experiments, chunk bytes) and fails at once while Redis is away (no offline
 * queue), so callers can watch liveness and give up after their own timeout.
 */
export interface QueueConnection {
  readonly address: QueueAddress;
  readonly bull: Redis;
  readonly direct: Redis;
  close(): Promise<void>;
}

/** Why a connection failed, in words a user can act on. */
export function describeRedisError(address: QueueAddress, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message))
    return `Redis at ${address.display} refused the credentials (${message.split("\n")[0]}); check the password (BME_REDIS_PASSWORD or the URL)`;
  const why = err.code && err.code !== "EPROTO" ? err.code : message;
  return `cannot reach Redis at ${address.display} (${why}); is redis-server running and reachable from here?`;
}

/**
 * ioredis options for an address: host, port, database, credentials and TLS passed through
 * (`tls: true` becomes default TLS options: the system's CAs, SNI by host name).
 * `role` "blocking" is for connections BullMQ blocks on (a Worker's): commands wait for a
 * reconnect instead of failing, as BullMQ requires (`maxRetriesPerRequest: null`); the others
 * fail at once while Redis is away.
 */
export function redisOptions(
  o: RedisAddressOptions,
  role: "direct" | "queue" | "blocking",
): RedisOptions {
  const tls =
    o.tls === undefined || o.tls === false
      ? undefined
      : {
          ...(isIP(o.host) === 0 ? { servername: o.host } : {}),
          ...(typeof o.tls === "object" ? o.tls : {}),
        };
  return {
    host: o.host,
    port: o.port,
    db: o.db ?? 0,
    username: o.username,
    password: o.password,
    tls,
    connectTimeout: o.connectTimeout,
    lazyConnect: true,
    enableOfflineQueue: role === "blocking",
    maxRetriesPerRequest: role === "blocking" ? null : 1,
  };
}

/** A connected ioredis client; a QueueError names the address, never the password. */
async function open(address: QueueAddress, role: "direct" | "queue" | "blocking") {
  let ready = false;
  const client = new Redis({
    ...redisOptions(address.options, role),
    // the first connection fails at once (the user gets a message); later drops reconnect
    retryStrategy: (times) => (ready ? Math.min(times * 100, 1000) : null),
  });
  // without a listener ioredis prints every connection error; callers watch liveness themselves.
  // The first one says why connecting failed (ECONNREFUSED, WRONGPASS): connect() only says
  // "Connection is closed".
  let cause: unknown;
  client.on("error", (e) => {
    if (!ready) cause ??= e;
  });
  client.on("ready", () => {
    ready = true;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new QueueError(describeRedisError(address, cause ?? e));
  }
  return client;
}

/**
 * Connect (bounded by the address' connect timeout). `forWorker` makes BullMQ's connection
 * wait through a Redis restart (a Worker's blocking reads); a coordinator's fails fast.
 */
export async function connectQueue(
  address: QueueAddress,
  { forWorker = false }: { forWorker?: boolean } = {},
): Promise<QueueConnection> {
  const direct = await open(address, "direct");
  let bull: Redis;
  try {
    bull = await open(address, forWorker ? "blocking" : "queue");
  } catch (e) {
    direct.disconnect();
    throw e;
  }
  return {
    address,
    bull,
    direct,
    async close() {
      direct.disconnect();
      await bull.quit().catch(() => bull.disconnect());
    },
  };
}

/**
 * Call `onMessage` for every message on `channel`, on a connection of its own (a subscribed
 * connection can do nothing else); ioredis resubscribes after a reconnect. Resolves with a
 * function that closes it.
 */
export async function subscribe(
  address: QueueAddress,
  channel: string,
  onMessage: () => void,
): Promise<() => void> {
  const client = await open(address, "blocking");
  client.on("message", onMessage);
  await client.subscribe(channel);
  return () => client.disconnect();
}

/** Wait for `p`, but no longer than `ms` (closing BullMQ objects can wait on a Redis that is gone). */
export async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}
