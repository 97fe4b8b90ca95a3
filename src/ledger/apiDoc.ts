/**
 * The ledger's API reference in Markdown, generated from its OpenAPI document (so the reference
 * is the schemas the server validates with). `docs/ledger-api.md` is this output; a test keeps it so.
 */
// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is untyped JSON here
type Json = any;

function typeOf(s: Json, doc: Json): string {
  if (!s) return "";
  if (s.$ref) return s.$ref.split("/").pop();
  if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(" \\| ");
  if (s.type === "array") return `${typeOf(s.items, doc)}[]`;
  if (s.anyOf) return s.anyOf.map((x: Json) => typeOf(x, doc)).join(" \\| ");
  const range = [
    s.minimum !== undefined ? `≥ ${s.minimum}` : "",
    s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : "",
    s.maximum !== undefined ? `≤ ${s.maximum}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${s.type ?? "object"}${range ? ` (${range})` : ""}`;
}

function fields(schema: Json, doc: Json): string[] {
  const s = schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema;
  if (!s?.properties) return [];
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties).map(
    ([name, p]: [string, Json]) =>
      `| \`${name}\` | ${typeOf(p, doc)} | ${required.has(name) ? "yes" : "no"} | ${(p.description ?? "").replace(/\|/g, "\\|")}${p.default !== undefined ? ` Default ${JSON.stringify(p.default)}.` : ""} |`,
  );
}

export function apiReference(doc: Json): string {
  const out: string[] = [
    "# bme ledger: API reference",
    "",
    "Generated from the OpenAPI document the server serves at `/openapi.json` (`src/ledger/apiDoc.ts`);",
    "do not edit by hand. Every request needs `Authorization: Bearer <API key>`; every POST an",
    "`Idempotency-Key` header. Refusals are `{ error, field }` with a 4xx status.",
    "",
  ];
  for (const [path, methods] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json) as [string, Json][]) {
      out.push(`## ${method.toUpperCase()} \`${path}\``, "", op.summary ?? "", "");
      const params = (op.parameters ?? []).filter((p: Json) => p.in !== "header");
      if (params.length > 0) {
        out.push("| parameter | in | type | required |", "|---|---|---|---|");
        for (const p of params)
          out.push(
            `| \`${p.name}\` | ${p.in} | ${typeOf(p.schema, doc)} | ${p.required ? "yes" : "no"} |`,
          );
        out.push("");
      }
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const rows = fields(body, doc);
      if (rows.length > 0)
        out.push("| body field | type | required | meaning |", "|---|---|---|---|", ...rows, "");
      const codes = Object.keys(op.responses ?? {}).join(", ");
      out.push(`Responses: ${codes}.`, "");
    }
  }
  return `${out.join("\n")}\n`;
}
