import type { Command } from "@commander-js/extra-typings";
import { action } from "../errors.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the scenario format as JSON Schema")
    .action(
      action(async () => {
        const { scenarioJsonSchema } = await import("../../scenario/jsonSchema.js");
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
