import { describe, expect, it } from "vitest";
import { decodeState } from "../../web/src/url.js";

describe("a shared dashboard link's numbers are decimal digits", () => {
  it("reads seed, runs and point as written", () => {
    const s = decodeState("?exp=abc&point=3&seed=42&mc=300");
    expect(s.seed).toBe(42);
    expect(s.mcRuns).toBe(300);
    expect(s.source).toEqual({ kind: "experiment", id: "abc", point: 3 });
    expect(decodeState("?mc=99999").mcRuns).toBe(5000); // held to the dashboard's most
  });
  it("ignores what Number() would misread: 0x10 runs, an empty point, a seed of 1e3", () => {
    const s = decodeState("?exp=abc&point=&seed=1e3&mc=0x10");
    expect(s.mcRuns).toBeNull(); // Number("0x10") = 16 runs
    expect(s.seed).toBe(0); // the default, not 1000
    expect(s.source).toEqual({ kind: "experiment", id: "abc", point: 0 });
    expect(decodeState("?exp=abc&point=0x2").source).toEqual({
      kind: "experiment",
      id: "abc",
      point: 0,
    });
  });
});
