/**
 * A small Redis client speaking RESP2 over TCP or TLS: just what BullMQ's driver-neutral
 * adapter (`createBunRedisClient`: `send`, `connect`, `close`, `duplicate`, `connected`,
 * `onconnect`, `onclose`) and the chunk transport (binary GET/SET) need. The project ships
 * no Redis driver (BullMQ's are optional peers), so this keeps the queue dependency-free.
 * Replies: simple strings and bulk strings → string (or Buffer for `sendBuffer`), integers →
 * number, nil → null, arrays → arrays, error replies → rejected Error (inside EXEC: Error).
 */
import { Socket } from "node:net";
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from "node:tls";

export interface RespOptions {
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

type Arg = string | Buffer | number;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  buffers: boolean;
}

const CRLF = Buffer.from("\r\n");
/** A reply still incomplete: parse again once `need` bytes are there. */
const INCOMPLETE = Symbol("incomplete");

export class RespClient {
  connected = false;
  onconnect: ((...a: unknown[]) => void) | null = null;
  onclose: ((...a: unknown[]) => void) | null = null;
  onerror: ((...a: unknown[]) => void) | null = null;
  private socket: Socket | null = null;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 1;
  private closedByUs = false;

  constructor(readonly options: RespOptions) {}

  /** Open the connection, authenticate and select the database; rejects on failure or timeout. */
  async connect(): Promise<void> {
    if (this.connected) return;
    const o = this.options;
    this.closedByUs = false;
    await new Promise<void>((resolve, reject) => {
      const tlsOpts = typeof o.tls === "object" ? o.tls : {};
      const socket = o.tls
        ? tlsConnect({ host: o.host, port: o.port, servername: o.host, ...tlsOpts })
        : new Socket().connect(o.port, o.host);
      const event = o.tls ? "secureConnect" : "connect";
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connection timed out"), { code: "ETIMEDOUT" }));
      }, o.connectTimeout);
      const fail = (e: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.once("error", fail);
      socket.once(event, () => {
        clearTimeout(timer);
        socket.removeListener("error", fail);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 10_000);
        this.attach(socket);
        resolve();
      });
    });
    try {
      if (o.password !== undefined)
        await this.send("AUTH", o.username ? [o.username, o.password] : [o.password]);
      if (o.db) await this.send("SELECT", [String(o.db)]);
    } catch (e) {
      this.close();
      throw e;
    }
    this.connected = true;
    this.onconnect?.();
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on("data", (d: Buffer) => this.receive(d));
    socket.on("error", (e) => this.onerror?.(e));
    socket.on("close", () => {
      const wasConnected = this.connected;
      this.connected = false;
      this.socket = null;
      const err = new Error("Connection closed");
      for (const p of this.pending.splice(0)) p.reject(err);
      this.chunks = [];
      this.have = 0;
      this.need = 1;
      if (wasConnected || !this.closedByUs)
        this.onclose?.(this.closedByUs ? undefined : new Error("Socket closed unexpectedly"));
    });
  }

  /** Send one command; the reply's bulk strings are decoded as UTF-8. */
  send<T = unknown>(command: string, args: readonly Arg[]): Promise<T> {
    return this.write(command, args, false) as Promise<T>;
  }

  /** Send one command; the reply's bulk strings come back as Buffers (binary-safe). */
  sendBuffer<T = unknown>(command: string, args: readonly Arg[]): Promise<T> {
    return this.write(command, args, true) as Promise<T>;
  }

  private write(command: string, args: readonly Arg[], buffers: boolean): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error("Connection is closed."));
    const parts: Buffer[] = [
      Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`),
    ];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
      parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, buffers });
      socket.write(Buffer.concat(parts));
    });
  }

  private receive(d: Buffer): void {
    this.chunks.push(d);
    this.have += d.length;
    if (this.have < this.need) return;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    let pos = 0;
    while (pos < buf.length && this.pending.length > 0) {
      const p = this.pending[0];
      let r: Parsed;
      try {
        r = parseReply(buf, pos, p.buffers);
      } catch (e) {
        // not Redis on the other end (a proxy, a web server): fail every command, drop the socket
        const err = Object.assign(e as Error, { code: "EPROTO" });
        for (const q of this.pending.splice(0)) q.reject(err);
        this.socket?.destroy();
        return;
      }
      if (r === INCOMPLETE) break;
      this.pending.shift();
      pos = r.end;
      if (r.value instanceof ReplyError) p.reject(r.value);
      else p.resolve(r.value);
    }
    buf = buf.subarray(pos);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.have = buf.length;
    this.need = buf.length > 0 ? neededBytes(buf) : 1;
  }

  /** Close the connection; pending commands are rejected. */
  close(): void {
    this.closedByUs = true;
    this.connected = false;
    this.socket?.destroy();
  }

  /** A new, unconnected client to the same server with the same options. */
  async duplicate(): Promise<this> {
    return new RespClient(this.options) as this;
  }

  get(key: string): Promise<string | null> {
    return this.send("GET", [key]);
  }
  smembers(key: string): Promise<string[]> {
    return this.send("SMEMBERS", [key]);
  }
  incr(key: string): Promise<number> {
    return this.send("INCR", [key]);
  }
}

class ReplyError extends Error {}

type Parsed = { value: unknown; end: number } | typeof INCOMPLETE;

function line(buf: Buffer, pos: number): { text: string; end: number } | null {
  const i = buf.indexOf(CRLF, pos);
  return i < 0 ? null : { text: buf.toString("latin1", pos + 1, i), end: i + 2 };
}

function parseReply(buf: Buffer, pos: number, buffers: boolean): Parsed {
  if (pos >= buf.length) return INCOMPLETE;
  const l = line(buf, pos);
  if (!l) return INCOMPLETE;
  switch (buf[pos]) {
    case 0x2b: // +
      return { value: l.text, end: l.end };
    case 0x2d: // -
      return { value: new ReplyError(buf.toString("utf8", pos + 1, l.end - 2)), end: l.end };
    case 0x3a: // :
      return { value: Number(l.text), end: l.end };
    case 0x24: {
      // $
      const n = Number(l.text);
      if (n < 0) return { value: null, end: l.end };
      if (l.end + n + 2 > buf.length) return INCOMPLETE;
      const value = buffers
        ? Buffer.from(buf.subarray(l.end, l.end + n))
        : buf.toString("utf8", l.end, l.end + n);
      return { value, end: l.end + n + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(l.text);
      if (n < 0) return { value: null, end: l.end };
      const out: unknown[] = [];
      let p = l.end;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p, buffers);
        if (r === INCOMPLETE) return INCOMPLETE;
        out.push(r.value instanceof ReplyError ? new Error(r.value.message) : r.value);
        p = r.end;
      }
      return { value: out, end: p };
    }
    default:
      throw new Error(
        `not a Redis reply: ${JSON.stringify(buf.toString("latin1", pos, Math.min(l.end - 2, pos + 40)))}`,
      );
  }
}

/** Bytes needed before a partial reply at the start of `buf` can be parsed (a lower bound). */
function neededBytes(buf: Buffer): number {
  if (buf[0] === 0x24) {
    const l = line(buf, 0);
    if (l) return l.end + Math.max(0, Number(l.text)) + 2;
  }
  return buf.length + 1;
}
