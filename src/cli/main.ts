#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "@commander-js/extra-typings";
import { registerLedger } from "../ledger/cli.js";
import { VERSION } from "../version.js";
import { registerExperiments } from "./commands/experiments.js";
import { registerReport } from "./commands/report.js";
import { registerResults } from "./commands/results.js";
import { registerRun } from "./commands/run.js";
import { registerSchema } from "./commands/schema.js";
import { registerServe } from "./commands/serve.js";
import { registerStress } from "./commands/stress.js";
import { registerValidate } from "./commands/validate.js";
import { registerWorker } from "./commands/worker.js";
import { EXIT_BAD_INPUT, reportError } from "./errors.js";
import { userDirectory } from "./invocation.js";
import { outHasColors, outputFailed, stdoutIsFile, writeOut } from "./output.js";

/** The `bme` command line: every command registers itself here. */
export function buildProgram(): Command {
  const program = new Command()
    .name("bme")
    .description(
      "Burn-and-mint equilibrium token economies of decentralized AI marketplaces (ChainOpera)",
    )
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  // help and version into a file without building process.stdout (src/cli/output.ts)
  const output = program.configureOutput();
  program.configureOutput({
    writeOut,
    // commander's own default is undefined (its standard width) for anything but a terminal
    getOutHelpWidth: () => (stdoutIsFile() ? undefined : output.getOutHelpWidth?.()) as number,
    getOutHasColors: () => outHasColors(() => output.getOutHasColors?.() === true),
  });
  registerRun(program);
  registerExperiments(program);
  registerReport(program);
  registerResults(program);
  registerValidate(program);
  registerSchema(program);
  registerServe(program);
  registerWorker(program);
  registerStress(program);
  registerLedger(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(helpOfUnknown(program, argv), { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its message; help and version are not errors
      return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    return reportError(e);
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

/**
 * `bme help <name>` for a command that does not exist: commander would print the whole help and
 * no message; parse the name alone instead, which says "unknown command" and suggests the nearest.
 */
function helpOfUnknown(program: Command, argv: readonly string[]): string[] {
  const [first, name] = argv;
  if (first !== "help" || name === undefined) return [...argv];
  const known = program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  return known ? [...argv] : [name];
}

/**
 * Run `setUp` on `process[name]` when something first uses it. Creating the stream of a pipe
 * or a terminal loads node:net and its streams, which `bme --help` written to a file (or any
 * command that writes nothing to stderr) never needs (docs/benchmarks.md, start-up).
 */
function whenUsed(name: "stdout" | "stderr", setUp: (stream: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (own?.get === undefined || !own.configurable) {
    setUp(process[name]);
    return;
  }
  const getter = own.get;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      Object.defineProperty(process, name, own); // node's own getter again, which keeps the stream
      const stream = getter.call(process) as NodeJS.WriteStream;
      setUp(stream);
      return stream;
    },
  });
}

/**
 * Whether this process was started as the command: `bme` (the installed bin), or this file by
 * any path that leads to it — through symbolic links (npm's bin, `npm install ../dir`, pnpm) or
 * a folder whose name holds `#`, `?` or `%`, which a URL built from the path would misread.
 */
function startedAsCommand(script: string | undefined): boolean {
  if (script === undefined) return false;
  if (script.endsWith("/bme")) return true;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedAsCommand(process.argv[1])) {
  // `npm run bme -- …` runs in the package root: paths given are relative to where the user was
  const dir = userDirectory();
  if (dir !== undefined) process.chdir(dir);
  // `bme run … | head`: the reader closed the pipe; stop quietly, as Unix tools do. Any other
  // failure to write the output (a full disk, /dev/full) is a message and exit code 1, not a trace.
  whenUsed("stdout", (stream) =>
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      outputFailed(e);
    }),
  );
  // stderr carries progress and messages: a reader that went away must not stop the work (nor
  // report it done); what is left to say there is dropped
  whenUsed("stderr", (stream) =>
    stream.on("error", () => {
      stream.write = () => true;
    }),
  );
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
