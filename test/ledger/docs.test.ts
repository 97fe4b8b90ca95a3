import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { apiReference } from "../../src/ledger/apiDoc.js";
import { cleanup, newLedger } from "./helpers.js";
import { sqliteUrl } from "./urls.js";

afterAll(cleanup);
const FILE = new URL("../../docs/ledger-api.md", import.meta.url).pathname;

describe("the API reference", () => {
  it("docs/ledger-api.md is the OpenAPI document's reference (BME_UPDATE_DOCS=1 rewrites it)", async () => {
    const { ledger, app } = await newLedger(await sqliteUrl());
    const doc = await (await app.request("/openapi.json")).json();
    await ledger.close();
    const text = apiReference(doc);
    expect(text).toContain("## POST `/v1/jobs`");
    expect(text).toContain("| `deadlineDay` | integer");
    if (process.env.BME_UPDATE_DOCS) writeFileSync(FILE, text);
    expect(readFileSync(FILE, "utf8")).toBe(text);
  });
});
