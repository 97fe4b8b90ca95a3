// The `bme` command as one bundle (docs/decisions.md, "The CLI is bundled"): after tsc has
// built dist/, bundle dist/src/cli/main.js with what it imports — our modules and the small
// pure-JS packages on the start-up path (commander, zod, yaml, csv-parse) — into
// dist/src/cli/main.js plus chunks beside it (dist/src/cli/bme-*.js) for what commands load on
// demand. Node then resolves and reads a handful of files instead of ~250. Heavy or native
// packages (DuckDB, ECharts, resvg, BullMQ, Hono, piscina, …) stay outside, loaded when a
// command needs them; worker threads run the unbundled dist/src files; the library
// (dist/src/index.js) is not bundled.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { rolldown } from "rolldown";

const root = new URL("..", import.meta.url).pathname;
const cliDir = join(root, "dist/src/cli");
const entry = join(cliDir, "main.js");
const MARK = "// bme: bundled by scripts/bundle-cli.mjs";
/** Packages bundled into the CLI: pure JavaScript, on the start-up path, no files of their own. */
const BUNDLED = ["zod", "yaml", "commander", "@commander-js/extra-typings", "csv-parse"];

const source = readFileSync(entry, "utf8");
if (source.includes(MARK))
  throw new Error(`${entry} is already a bundle: run tsc first (npm run build does)`);
for (const f of readdirSync(cliDir)) if (/^bme-.*\.js$/.test(f)) rmSync(join(cliDir, f));

const packageOf = (id) =>
  (id.startsWith("@") ? id.split("/").slice(0, 2) : id.split("/", 1)).join("/");

const bundle = await rolldown({
  input: entry,
  platform: "node",
  // the entry keeps its exports (buildProgram, main; main.d.ts) and may hold shared code too
  preserveEntrySignatures: "allow-extension",
  // a bare import outside BUNDLED stays an import, resolved from node_modules at run time
  external: (id, importer) =>
    importer !== undefined &&
    !id.startsWith(".") &&
    !id.startsWith("/") &&
    !id.startsWith("\0") &&
    !BUNDLED.includes(packageOf(id)),
  // commands register statically and load their work dynamically; rolldown notes the overlap
  onLog: (level, log, handler) => {
    if (log.code !== "INEFFECTIVE_DYNAMIC_IMPORT") handler(level, log);
  },
  plugins: [
    {
      // commander requires node:child_process (and with it net, stream, dgram) at load, for
      // subcommands that are separate executables, which bme has none of: loading it costs
      // `bme --help` a fifth of its start-up (docs/benchmarks.md), so it is required on first use
      name: "bme-lazy-child-process",
      transform(code, id) {
        if (!id.endsWith("/node_modules/commander/lib/command.js")) return null;
        const eager = "const childProcess = require('node:child_process');";
        if (!code.includes(eager)) throw new Error(`${id}: commander's child_process import moved`);
        const lazy =
          "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
        return { code: code.replace(eager, lazy), map: null };
      },
    },
    {
      // `import { x } from "node:fs"` makes Node build an ES-module facade of the whole
      // built-in (node:fs has ~100 exports) before anything runs; process.getBuiltinModule
      // (Node ≥ 20.16) hands over the module itself: a tenth of `bme --help`'s own time
      name: "bme-builtins-directly",
      renderChunk(code) {
        const named = /^import \{([^}]*)\} from "(node:[a-z_/]+)";$/gm;
        const out = code.replace(named, (_, names, id) => {
          const binds = names.split(",").map((n) => n.trim().replace(/^(\S+) as (\S+)$/, "$1: $2"));
          return `const { ${binds.join(", ")} } = process.getBuiltinModule(${JSON.stringify(id)});`;
        });
        if (/^import [^;]*"node:/m.test(out))
          throw new Error("a built-in imported in a form bme-builtins-directly does not rewrite");
        return { code: out, map: null };
      },
    },
    {
      // a module that finds files beside itself (the worker thread's file, the package root)
      // keeps the location it has unbundled: import.meta.url becomes that module's own URL
      name: "bme-own-url",
      transform(code, id) {
        if (!id.startsWith(join(root, "dist/src/"))) return null;
        // import(variable) would resolve from the chunk's folder, not the module's: refuse it
        // (user plugins are loaded by absolute file URL, which resolves the same anywhere)
        if (/\bimport\((?!["'`]|pathToFileURL\()/.test(code))
          throw new Error(`${id}: a dynamic import( of a computed specifier; use a literal path`);
        if (!code.includes("import.meta.url")) return null;
        const own = `new URL(${JSON.stringify(relative(cliDir, id))}, import.meta.url).href`;
        return { code: code.replaceAll("import.meta.url", own), map: null };
      },
    },
  ],
});
const { output } = await bundle.generate({
  format: "esm",
  dir: cliDir,
  entryFileNames: "main.js",
  chunkFileNames: "bme-[hash].js",
  banner: MARK, // the entry keeps its #! line
});
await bundle.close();
for (const chunk of output) {
  if (chunk.type !== "chunk") continue;
  const file = join(cliDir, chunk.fileName);
  if (dirname(file) !== cliDir) throw new Error(`chunk outside ${cliDir}: ${chunk.fileName}`);
  writeFileSync(file, chunk.code);
}
