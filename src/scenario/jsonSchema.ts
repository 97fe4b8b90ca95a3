import { z } from "zod";
import { ScenarioObjectSchema } from "./schema.js";

/** The scenario format as JSON Schema (input side: defaults may be omitted). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ScenarioObjectSchema, { io: "input", unrepresentable: "any" }),
    title: "BME scenario",
  };
}
