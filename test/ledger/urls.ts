import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh SQLite ledger file in its own temporary directory. */
export async function sqliteUrl(): Promise<string> {
  return join(mkdtempSync(join(tmpdir(), "bme-ledger-")), "ledger.db");
}
