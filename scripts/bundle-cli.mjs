// The `bme` command as one bundle (docs/decisions.md, "The CLI is bundled" and "The CLI runs
// from V8's code cache"): after tsc has built dist/, bundle dist/src/cli/main.js with what it
// imports — our modules and the small pure-JS packages on the start-up path (commander, zod,
// yaml, csv-parse) — into a CommonJS bundle dist/src/cli/bme.cjs plus chunks beside it
// (dist/src/cli/bme-*.cjs) for what commands load on demand. dist/src/cli/main.js becomes
// scripts/cli-entry.mjs, which compiles them with V8 code caches made here by one training run
// (`bme run scenarios/whitepaper.yaml` and the help). Heavy or native packages (DuckDB,
// ECharts, resvg, BullMQ, Hono, piscina, …) stay outside, imported when a command needs them;
// worker threads run bundles of their own (thread.mjs, pool.mjs); the library (dist/src/index.js) is not
// bundled.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { rolldown } from "rolldown";

const root = new URL("..", import.meta.url).pathname;
const cliDir = join(root, "dist/src/cli");
const entry = join(cliDir, "main.js");
const MARK = "// bme: bundled by scripts/bundle-cli.mjs";
/** Packages bundled into the CLI: pure JavaScript, on the start-up path, no files of their own. */
const BUNDLED = ["zod", "yaml", "commander", "@commander-js/extra-typings", "csv-parse"];

const source = readFileSync(entry, "utf8");
if (source.includes(MARK) || source.includes("// bme: the command's entry"))
  throw new Error(`${entry} is already a bundle: run tsc first (npm run build does)`);
for (const f of readdirSync(cliDir))
  if (/^bme[-.].*(\.js|\.cjs|\.v8cache)$/.test(f)) rmSync(join(cliDir, f));

const packageOf = (id) =>
  (id.startsWith("@") ? id.split("/").slice(0, 2) : id.split("/", 1)).join("/");

const inputOptions = (input, inCli) => ({
  input,
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
      // the CLI's Monte Carlo starts its worker threads from the thread bundle built beside it
      // (dist/src/cli/thread.mjs), not from the unbundled dist/src files the library uses
      name: "bme-thread-entry",
      transform(code, id) {
        const starters = ["threads.js", "pool.js"].map((f) => join(root, "dist/src/montecarlo", f));
        if (!inCli || !starters.includes(id)) return null;
        const off = "const IN_CLI_BUNDLE = false;";
        if (!code.includes(off)) throw new Error(`${id}: its IN_CLI_BUNDLE constant moved`);
        return { code: code.replace(off, "const IN_CLI_BUNDLE = true;"), map: null };
      },
    },
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
const bundle = await rolldown(inputOptions(entry, true));
const outputOptions = {
  format: "cjs",
  dir: cliDir,
  entryFileNames: "bme.cjs",
  chunkFileNames: "bme-[hash].cjs",
  banner: MARK,
  // what node reads, decodes and keeps as source text at every start: plain ASCII (a one-byte
  // string, decoded without V8's slow path), no comments but the licences
  charset: "ascii",
  comments: { legal: true, annotation: false, jsdoc: false },
};
const { output } = await bundle.generate(outputOptions);
await bundle.close();

// The Monte Carlo's worker thread as one more bundle (docs/decisions.md, "The worker thread is
// bundled"): src/montecarlo/threadWorker.js with all it imports in one file, bme-thread.cjs,
// run by dist/src/cli/thread.mjs (this loader with the thread's own part, below) with its
// code cache, so a thread neither resolves ≈ 100 ES modules nor compiles what it runs.
/** One entry with all it imports as one file, `fileName` in the CLI's folder; its chunks. */
async function singleBundle(input, fileName, what) {
  const b = await rolldown(inputOptions(input, false));
  const { output: out } = await b.generate({
    ...outputOptions,
    entryFileNames: fileName,
    codeSplitting: false,
  });
  await b.close();
  if (out.filter((c) => c.type === "chunk").length !== 1)
    throw new Error(`${what}'s bundle is not one file`);
  return out;
}
const threadOutput = await singleBundle(
  join(root, "dist/src/montecarlo/threadWorker.js"),
  "bme-thread.cjs",
  "the worker thread",
);

// The Piscina worker of `bme worker` (the queue) the same way (decision 144):
// src/montecarlo/worker.js in one file, bme-pool.cjs, run by dist/src/cli/pool.mjs.
const poolOutput = await singleBundle(
  join(root, "dist/src/montecarlo/worker.js"),
  "bme-pool.cjs",
  "the Piscina worker",
);

// A chunk runs inside scripts/cli-entry.mjs's wrapper: its import() of a chunk or a package is
// the entry's __bme_import (which imports the packages a chunk needs before it runs it), its
// require of a package hands over the namespace imported then.
const dynamicChunk = /Promise\.resolve\(\)\.then\(\(\) => require\(("\.\/bme-[\w-]+\.cjs")\)\)/g;
const chunks = new Map();
for (const chunk of [...output, ...threadOutput, ...poolOutput]) {
  if (chunk.type !== "chunk") continue;
  const file = join(cliDir, chunk.fileName);
  if (dirname(file) !== cliDir) throw new Error(`chunk outside ${cliDir}: ${chunk.fileName}`);
  const code = chunk.code
    .replace(/^#!.*\n/, "")
    .replace(dynamicChunk, "__bme_import($1)")
    .replace(/(?<![\w$.])import\(/g, "__bme_import(");
  if (/Promise\.resolve\(\)\.then\(\(\) => (__toESM\()?require/.test(code))
    throw new Error(`${chunk.fileName}: a dynamic import in a form the entry does not rewrite`);
  // what was rewritten is an awaited import() or a comment, never text in a string
  for (const line of code.split("\n"))
    if (
      /__bme_import\(/.test(line) &&
      !/^\s*(\*|\/\/)/.test(line) &&
      !/await \(?__bme_import\(/.test(line)
    )
      throw new Error(`${chunk.fileName}: "import(" rewritten where it may not be a call: ${line}`);
  writeFileSync(file, code);
  chunks.set(chunk.fileName, chunk.imports);
}
/** Each chunk's packages (not built-ins), with those of the chunks it imports statically. */
const packages = {};
const closure = (name, seen = new Set()) => {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const id of chunks.get(name) ?? []) if (chunks.has(id)) closure(id, seen);
  return seen;
};
for (const name of chunks.keys()) {
  const ids = new Set();
  for (const c of closure(name))
    for (const id of chunks.get(c)) if (!chunks.has(id) && !id.startsWith("node:")) ids.add(id);
  if (ids.size > 0) packages[name] = [...ids].sort();
}
const entrySource = readFileSync(join(root, "scripts/cli-entry.mjs"), "utf8");
const slot = "/* bme:packages */ {}";
if (!entrySource.includes(slot)) throw new Error("scripts/cli-entry.mjs lost its packages slot");
const loader = entrySource.replace(slot, JSON.stringify(packages));
writeFileSync(entry, loader);
const ownPart = "// bme: the entry's own part";
if (!loader.includes(ownPart)) throw new Error("scripts/cli-entry.mjs lost its own-part mark");
const threadEntry = join(cliDir, "thread.mjs");
writeFileSync(
  threadEntry,
  `${loader.slice(0, loader.indexOf(ownPart))}// bme: the Monte Carlo worker thread's entry (src/montecarlo/threads.ts starts it from the CLI)
if (WRITE_CACHE) {
  const { parentPort } = process.getBuiltinModule("node:worker_threads");
  parentPort.on("message", (m) => {
    if (m !== "bme:write-code-cache") return;
    writeCaches();
    parentPort.postMessage("bme:code-cache-written");
  });
}
await importModule("./bme-thread.cjs");
`,
);
const poolEntry = join(cliDir, "pool.mjs");
writeFileSync(
  poolEntry,
  `${loader.slice(0, loader.indexOf(ownPart))}// bme: the Piscina worker's entry (src/montecarlo/pool.ts starts it from the CLI: bme worker)
// the bundle's module.exports is worker.js's default export, the function itself
const work = await importModule("./bme-pool.cjs");
let done = 0;
/** One chunk (src/montecarlo/worker.ts); the build's training chunk writes the code cache. */
export default async function run(task) {
  const partial = await work(task);
  if (WRITE_CACHE && done++ === 0) writeCaches();
  return partial;
}
`,
);

// the code caches: one training run of what start-up is measured on, and the help
const train = spawnSync(process.execPath, [entry, "run", "scenarios/whitepaper.yaml", "--quiet"], {
  cwd: root,
  env: { ...process.env, BME_WRITE_CODE_CACHE: "1" },
  stdio: "inherit",
});
if (train.status !== 0) throw new Error("the training run for the code caches failed");

// the thread's code cache: one chunk of a histogram-mode Monte Carlo of the same scenario
const { loadScenario } = await import(join(root, "dist/src/scenario/load.js"));
const { Worker } = await import("node:worker_threads");
const { scenario } = loadScenario(join(root, "scenarios/whitepaper.yaml"));
const thread = new Worker(threadEntry, { env: { ...process.env, BME_WRITE_CODE_CACHE: "1" } });
const replies = [];
const reply = () =>
  new Promise((resolve, reject) => {
    replies.push(resolve);
    thread.once("error", reject);
  });
thread.on("message", (m) => replies.shift()?.(m));
const task = { scenario, seed: 1, point: { index: 0, params: {} }, runs: 3072 };
thread.postMessage({ kind: "chunk", task: { ...task, runStart: 0, runEnd: 1024 } });
const first = await reply();
if (first?.kind !== "chunk")
  throw new Error(`the training chunk for the thread's code cache failed: ${first?.message}`);
thread.postMessage({ kind: "histograms", point: 0 });
await reply();
thread.postMessage("bme:write-code-cache");
if ((await reply()) !== "bme:code-cache-written") throw new Error("the thread wrote no code cache");
await thread.terminate();

// the Piscina worker's code cache: one chunk of the same Monte Carlo in a pool of one thread
const { Piscina } = await import("piscina");
const pool = new Piscina({
  filename: poolEntry,
  minThreads: 1,
  maxThreads: 1,
  env: { ...process.env, BME_WRITE_CODE_CACHE: "1" },
});
await pool.run({ ...task, runStart: 0, runEnd: 1024 });
await pool.destroy();
if (!existsSync(join(cliDir, "bme-pool.cjs.v8cache")))
  throw new Error("the Piscina worker wrote no code cache");
