import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { LedgerError } from "./errors.js";
import type { Ledger, Principal } from "./ledger.js";
import { IdParam } from "./schemas.js";

const DepartureIn = z
  .object({
    reason: z.string().min(1).max(500).optional().openapi({ description: "Recorded with it." }),
  })
  .strict()
  .openapi("Departure");
const ErrorOut = z.object({ error: z.string(), field: z.string() });
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * `POST /v1/suppliers/{id}/departure`: a supplier leaves on the open day (src/ledger/departures.ts),
 * by the operator's key or its own. Idempotent like every write.
 */
export function departureRoutes(
  // biome-ignore lint/suspicious/noExplicitAny: the API's own Env, which this file does not import
  app: OpenAPIHono<any>,
  ledger: Ledger,
): void {
  const route = createRoute({
    method: "post",
    path: "/v1/suppliers/{id}/departure",
    summary:
      "A supplier leaves on the open day: its unfinished assignments re-queued, their bonds lost (operator, or the supplier itself)",
    security: [{ apiKey: [] }],
    request: {
      headers: z.object({ "idempotency-key": z.string().min(1).max(200) }),
      params: IdParam,
      body: { content: { "application/json": { schema: DepartureIn } }, required: true },
    },
    responses: {
      200: json(
        z.object({}).passthrough(),
        "The departure, the tasks re-queued and where they went",
      ),
      400: json(ErrorOut, "Bad request"),
      401: json(ErrorOut, "No or unknown API key"),
      403: json(ErrorOut, "Not allowed for this key"),
      404: json(ErrorOut, "No such supplier"),
      409: json(ErrorOut, "The supplier already left"),
      422: json(ErrorOut, "Invalid input (the field is named)"),
    },
  });
  app.openapi(route, async (c) => {
    const p = c.get("principal") as Principal;
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    if (p.role !== "operator" && !(p.role === "supplier" && p.accountId === id))
      throw new LedgerError(
        403,
        "id",
        "only the operator or the supplier itself may record its departure",
      );
    const key = c.req.header("idempotency-key") as string;
    const r = await ledger.write(p, key, { path: c.req.path, request: { id, reason } }, (trx) =>
      ledger.departSupplier(trx, id, p.name, reason ?? null),
    );
    return c.json(r.body as object, r.status as 200);
  });
}
