/** The view as a URL: a link reproduces the scenario, its changes, Monte Carlo and arm A. */
import { wholeNumberText } from "../../src/scenario/numberText.js";
import type { Changes } from "./model.js";

export type SourceRef =
  | { readonly kind: "shipped"; readonly name: string }
  | { readonly kind: "file" }
  | { readonly kind: "yaml"; readonly yaml: string }
  | { readonly kind: "experiment"; readonly id: string; readonly point: number };

export interface ViewState {
  readonly source: SourceRef | null;
  readonly changes: Changes;
  readonly noise: boolean;
  readonly seed: number;
  readonly mcRuns: number | null;
  /** Arm A's changes (same source), or null when nothing is pinned. */
  readonly pinned: Changes | null;
}

export const DEFAULT_RUNS = 200;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

function readChanges(params: URLSearchParams, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of params.getAll(key)) {
    const eq = entry.indexOf("=");
    const path = entry.slice(0, eq);
    // a link may be hostile: a path through __proto__, prototype or constructor is dropped
    if (eq > 0 && !path.split(/[.[\]]/).some((s) => FORBIDDEN.has(s)))
      out[path] = entry.slice(eq + 1);
  }
  return out;
}

export function encodeState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.source?.kind === "shipped") p.set("s", s.source.name);
  else if (s.source?.kind === "file") p.set("file", "1");
  else if (s.source?.kind === "yaml") p.set("y", toBase64Url(s.source.yaml));
  else if (s.source?.kind === "experiment") {
    p.set("exp", s.source.id);
    p.set("point", String(s.source.point));
  }
  for (const [k, v] of Object.entries(s.changes)) p.append("set", `${k}=${v}`);
  if (s.noise) p.set("noise", "1");
  if (s.seed !== 0) p.set("seed", String(s.seed));
  if (s.mcRuns !== null) p.set("mc", String(s.mcRuns));
  if (s.pinned) {
    p.set("pin", "1");
    for (const [k, v] of Object.entries(s.pinned)) p.append("a", `${k}=${v}`);
  }
  return p.toString();
}

const whole = (text: string | null) => (text === null ? undefined : wholeNumberText(text));

export function decodeState(search: string): ViewState {
  const p = new URLSearchParams(search);
  let source: SourceRef | null = null;
  if (p.has("s")) source = { kind: "shipped", name: p.get("s")! };
  else if (p.has("file")) source = { kind: "file" };
  else if (p.has("y")) {
    try {
      source = { kind: "yaml", yaml: fromBase64Url(p.get("y")!) };
    } catch {
      source = null;
    }
  } else if (p.has("exp"))
    source = { kind: "experiment", id: p.get("exp")!, point: whole(p.get("point")) ?? 0 };
  // decimal digits only, as everywhere a number is read from text ("0x10" is not 16 runs)
  const seed = whole(p.get("seed"));
  const runs = whole(p.get("mc"));
  return {
    source,
    changes: readChanges(p, "set"),
    noise: p.get("noise") === "1",
    seed: seed ?? 0,
    mcRuns: runs !== undefined && runs >= 2 ? Math.min(runs, 5000) : null,
    pinned: p.get("pin") === "1" ? readChanges(p, "a") : null,
  };
}
