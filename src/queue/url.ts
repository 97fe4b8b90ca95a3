import type { ConnectionOptions as TlsOptions } from "node:tls";
import { wholeNumberText } from "../scenario/numberText.js";

/** A failure of the queue meant for the user (unreachable Redis, a bad URL, a chunk that keeps failing). */
export class QueueError extends Error {
  constructor(
    message: string,
    /** bad-input: a bad URL or option; failure: Redis or a chunk failed. */
    readonly kind: "bad-input" | "failure" = "failure",
  ) {
    super(message);
    this.name = "QueueError";
  }
}

/** Where Redis is and how to log in: what `connectQueue` passes to ioredis. */
export interface RedisAddressOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** TLS (`rediss://`): `true` or node TLS options (ca, cert, key, servername, …). */
  readonly tls?: TlsOptions | boolean;
  /** Give up connecting after this many milliseconds. */
  readonly connectTimeout: number;
}

export interface QueueAddress {
  readonly options: RedisAddressOptions;
  /** The URL with its password masked: the only form ever printed. */
  readonly display: string;
}

/** Secrets and TLS files that may come from the environment rather than the command line. */
export interface QueueSecrets {
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
}

/**
 * Parse `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). A password in the
 * environment (`BME_REDIS_PASSWORD`, read by the CLI) keeps it out of `ps` listings; it wins
 * over one in the URL. The display form never shows the password.
 */
export function parseQueueUrl(
  url: string,
  secrets: QueueSecrets = {},
  connectTimeout = 5000,
): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(
      `--queue must be a URL like redis://host:6379, got "${maskUrl(url)}"`,
      "bad-input",
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new QueueError(
      `--queue must start with redis:// or rediss:// (TLS), got "${maskUrl(url)}"`,
      "bad-input",
    );
  const port = u.port === "" ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : wholeNumberText(dbText);
  if (db === undefined)
    throw new QueueError(
      `--queue: the database must be a whole number, got "${dbText}"`,
      "bad-input",
    );
  const password = secrets.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  const username = secrets.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const tls = u.protocol === "rediss:" ? (secrets.tls ?? true) : undefined;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return {
    options: {
      host,
      port,
      db,
      password,
      username: password === undefined ? undefined : username,
      tls,
      connectTimeout,
    },
    display: maskUrl(url),
  };
}

/** The URL with any password replaced by `***`. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*:)[^@/]*@/i, "$1$2***@");
}
