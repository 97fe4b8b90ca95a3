import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { LIMITS, textNestingDepth } from "../scenario/limits.js";

/**
 * What the dashboard's server refuses (docs/limits.md): requests for another host (DNS
 * rebinding), cross-site requests, API calls without the access token when one is required,
 * bodies of the wrong type, too large or nested too deep, and work beyond a time budget.
 */

/** Largest request body the API reads, in bytes (1 MB). */
export const BODY_LIMIT = 1024 * 1024;
/** Longest a request may take before it is answered 503, ms. */
export const TIME_BUDGET_MS = 10_000;
/** The cookie that carries the access token once the page was opened with `?token=`. */
export const TOKEN_COOKIE = "bme_token";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith("127.");
}

export interface GuardOptions {
  /** The address the server is bound to (default 127.0.0.1). */
  readonly host?: string;
  /** Required on every API call when set: `Authorization: Bearer <token>`, or the cookie. */
  readonly token?: string;
}

function bad(message: string) {
  return { error: message };
}

/** The host name of a `Host` header or URL authority, without its port. */
function hostName(authority: string): string {
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1);
  const colon = authority.lastIndexOf(":");
  return (colon >= 0 ? authority.slice(0, colon) : authority).toLowerCase();
}

/** Hosts a request may name: loopback names and the bound address (any, when bound to a wildcard). */
function hostAllowed(name: string, bound: string | undefined): boolean {
  if (isLoopback(name)) return true;
  if (bound === undefined) return false;
  if (WILDCARD.has(bound)) return true; // reachable under any name: the token guards it
  const b = bound.includes(":") && !bound.startsWith("[") ? `[${bound}]` : bound;
  return name === b.toLowerCase();
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host check on every request; Origin / Sec-Fetch-Site on the API; the token when required. */
export function guard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const authority = c.req.header("host") ?? new URL(c.req.url).host;
    if (!hostAllowed(hostName(authority), options.host))
      return c.json(bad(`this server does not answer for host "${hostName(authority)}"`), 421);
    const api = c.req.path.startsWith("/api/");
    if (api) {
      const origin = c.req.header("origin");
      if (origin !== undefined && origin !== "null") {
        let host = "";
        try {
          host = new URL(origin).host;
        } catch {
          // not a URL: refused below
        }
        if (host !== authority)
          return c.json(bad("cross-site requests are refused (the Origin is another site)"), 403);
      } else if (origin === "null" || c.req.header("sec-fetch-site") === "cross-site")
        return c.json(bad("cross-site requests are refused"), 403);
    }
    if (options.token !== undefined) {
      const query = c.req.query("token");
      if (!api && sameToken(query, options.token))
        setCookie(c, TOKEN_COOKIE, options.token, {
          httpOnly: true,
          sameSite: "Strict",
          path: "/",
        });
      if (api) {
        const auth = c.req.header("authorization");
        const bearer = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
        if (
          !sameToken(bearer, options.token) &&
          !sameToken(getCookie(c, TOKEN_COOKIE), options.token) &&
          !sameToken(query, options.token)
        )
          return c.json(
            bad("an access token is required: open the URL bme serve printed (…/?token=…)"),
            401,
          );
      }
    }
    await next();
  };
}

/** Answer 503 when a request takes longer than `ms` (the work itself is bounded by the limits). */
export function timeBudget(ms: number = TIME_BUDGET_MS): MiddlewareHandler {
  return async (c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((done) => {
      timer = setTimeout(() => done("late"), ms);
    });
    try {
      const r = await Promise.race([next().then(() => "done" as const), late]);
      if (r === "late")
        c.res = c.json(bad(`the request took longer than ${ms / 1000} s and was stopped`), 503);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The media type of a request, lower case, without parameters. */
function mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Media types read as the scenario's YAML text: the YAML types, text/plain, and what `curl -d`
 * sends (application/x-www-form-urlencoded, the raw text: it is not form-decoded), or no type.
 */
const TEXT_TYPES = new Set([
  "application/yaml",
  "application/x-yaml",
  "text/yaml",
  "text/x-yaml",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
]);

/** A text body that is the JSON form `{ "yaml": "…" }` sent without its content type. */
function looksLikeJsonForm(text: string): boolean {
  if (!text.trimStart().startsWith("{")) return false;
  try {
    const b = JSON.parse(text) as { yaml?: unknown };
    return !!b && typeof b === "object" && typeof b.yaml === "string";
  } catch {
    return false;
  }
}

/**
 * Read a validate request: JSON `{ yaml, set? }` (application/json, or such a JSON object sent
 * with a text type or none), or the YAML text itself (application/yaml, text/yaml, text/plain,
 * application/x-www-form-urlencoded as `curl -d` sends it, no content type). Any other type is
 * 415 naming what is accepted. The text is refused when nested deeper than LIMITS.maxDepth,
 * before any parser sees it.
 */
export async function readValidateBody(
  c: Context,
): Promise<{ yaml: string; set: string[] } | { error: string; status: 400 | 415 }> {
  const type = mediaType(c);
  const text = await c.req.text();
  if (textNestingDepth(text) > LIMITS.maxDepth)
    return { error: `the body is nested deeper than ${LIMITS.maxDepth} levels`, status: 400 };
  const jsonForm = type === "application/json" || (TEXT_TYPES.has(type) && looksLikeJsonForm(text));
  if (!jsonForm && TEXT_TYPES.has(type)) {
    if (text.trim() === "")
      return {
        error:
          "the body is empty: send the scenario's YAML text (curl --data-binary @scenario.yaml)",
        status: 400,
      };
    return { yaml: text, set: [] };
  }
  if (!jsonForm)
    return {
      error: `unsupported content type "${type}": send the scenario's YAML text (application/yaml, text/yaml, text/plain, or no type; curl --data-binary @scenario.yaml) or application/json ({ "yaml": "…", "set": ["path=value"] })`,
      status: 415,
    };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { error: `the request body is not valid JSON: ${(e as Error).message}`, status: 400 };
  }
  const b = body as { yaml?: unknown; set?: unknown };
  if (!b || typeof b !== "object" || typeof b.yaml !== "string")
    return {
      error: 'expected a JSON object { "yaml": "<scenario text>", "set": ["path=value"] }',
      status: 400,
    };
  if (b.set !== undefined && !(Array.isArray(b.set) && b.set.every((s) => typeof s === "string")))
    return { error: '"set" must be a list of "path=value" strings', status: 400 };
  if (textNestingDepth(b.yaml) > LIMITS.maxDepth)
    return { error: `the scenario is nested deeper than ${LIMITS.maxDepth} levels`, status: 400 };
  return { yaml: b.yaml, set: (b.set as string[] | undefined) ?? [] };
}
