import type { Command } from "@commander-js/extra-typings";
import { counted } from "../../text.js";
import { action } from "../errors.js";
import { collect } from "../options.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a scenario file without running it")
    .argument("<scenario>", "scenario file (YAML or JSON)")
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable; path=null removes it)",
      collect,
      [],
    )
    .action(
      action(async (file, opts) => {
        const { loadScenario } = await import("../../scenario/load.js");
        const { scenario, warnings } = loadScenario(file, { set: opts.set });
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(
          `${file}: valid (${scenario.name}: ${counted(scenario.days, "day")}, ${counted(scenario.consumers.length, "consumer type")}, ${counted(scenario.suppliers.length, "supplier class", "supplier classes")})\n`,
        );
      }),
    );
}
