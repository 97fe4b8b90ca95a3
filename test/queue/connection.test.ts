import { describe, expect, it } from "vitest";
import { redisOptions } from "../../src/queue/connection.js";
import { parseQueueUrl } from "../../src/queue/url.js";

describe("ioredis options from a queue URL", () => {
  it("passes host, port, database and credentials through", () => {
    const o = redisOptions(parseQueueUrl("redis://alice:s3cret@10.0.0.5:6380/2").options, "direct");
    expect(o).toMatchObject({
      host: "10.0.0.5",
      port: 6380,
      db: 2,
      username: "alice",
      password: "s3cret",
      tls: undefined,
    });
  });

  it("rediss:// turns TLS on with SNI by host name, and passes the CA and client certificate", () => {
    const secrets = { password: "pw", tls: { ca: "CA", cert: "CERT", key: "KEY" } };
    const o = redisOptions(parseQueueUrl("rediss://redis.example:6390", secrets).options, "queue");
    expect(o.tls).toEqual({ servername: "redis.example", ca: "CA", cert: "CERT", key: "KEY" });
    expect(o.password).toBe("pw");
    // an IP address is no server name (RFC 6066): no SNI, the certificate is still verified
    const ip = redisOptions(parseQueueUrl("rediss://10.0.0.5").options, "queue");
    expect(ip.tls).toEqual({});
  });

  it("the database is decimal digits: /0x1 or /1e0 is refused, not read as database 1", () => {
    for (const db of ["0x1", "1e0", "+1", "1.0"])
      expect(() => parseQueueUrl(`redis://h/${db}`), db).toThrow(
        `--queue: the database must be a whole number, got "${db}"`,
      );
    expect(redisOptions(parseQueueUrl("redis://h/15").options, "direct").db).toBe(15);
  });

  it("only BullMQ's blocking connection waits through a reconnect; the others fail fast", () => {
    const address = parseQueueUrl("redis://h").options;
    expect(redisOptions(address, "blocking")).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    for (const role of ["direct", "queue"] as const)
      expect(redisOptions(address, role)).toMatchObject({
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      });
  });
});
