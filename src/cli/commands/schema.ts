import type { Command } from "@commander-js/extra-typings";
import { scenarioJsonSchema } from "../../scenario/jsonSchema.js";
import { action } from "../errors.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the scenario format as JSON Schema")
    .action(
      action(() => {
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
