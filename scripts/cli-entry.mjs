#!/bin/sh
//usr/bin/env true; case ":$GLIBC_TUNABLES:" in *:glibc.malloc.hugetlb=*) ;; *) GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"; export GLIBC_TUNABLES ;; esac; exec node "$0" "$@"
// (The two lines above: run as a program — `bme`, `npx bme`, ./dist/src/cli/main.js — this file
// is a shell script that starts node on itself with glibc's malloc told to back its large
// allocations with transparent huge pages, unless GLIBC_TUNABLES already says otherwise (`//usr/
// bin/env true` is a no-op command to the shell); to node the second line is a comment. Fresh 4 kB pages cost ≈ 12 µs each on this
// project's VMs, and a Monte Carlo's histograms and batch tables are tens of MB: docs/decisions.md
// 170. `node dist/src/cli/main.js` runs the same command without it.)
// bme: the command's entry, copied to dist/src/cli/main.js by scripts/bundle-cli.mjs
// (docs/decisions.md, "The CLI runs from V8's code cache"). The command itself is a CommonJS
// bundle beside this file (bme.cjs and its chunks bme-*.cjs). This loader compiles each with
// the V8 code cache that `npm run build` made for it (<file>.v8cache): the bytecode of the
// functions a run and the help use, so node neither parses nor compiles them again. A cache is
// used only if it was made from exactly the bytes of the file read now (it holds a copy of
// them, compared first), its own bytes are intact (a checksum: V8's release builds do not check
// a cache's payload, and a damaged one crashes node or runs wrong code) and V8 accepts it (same
// V8 version and flags); otherwise the file is compiled from its source as usual, so a stale or
// damaged cache costs time, never correctness. Layout: source length (u32 LE), checksum of the
// cache data (u32 LE), the source's bytes, the cache data.
const { readFileSync, renameSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { Script } = process.getBuiltinModule("node:vm");
const { fileURLToPath } = process.getBuiltinModule("node:url");
const { dirname, join } = process.getBuiltinModule("node:path");

const here = dirname(fileURLToPath(import.meta.url));
/** Filled in by scripts/bundle-cli.mjs: each chunk's packages, its static imports' included. */
const PACKAGES = /* bme:packages */ {};
/** `npm run build` sets it to write the caches (scripts/bundle-cli.mjs); never set at run time. */
const WRITE_CACHE = process.env.BME_WRITE_CODE_CACHE === "1";
// strict, as the ES modules the bundle was made from; on the first line, so lines keep their numbers
const WRAP =
  '(function (exports, require, module, __filename, __dirname, __bme_import) {"use strict";';

/** Loaded chunks by file name, with the script each was compiled from. */
const chunks = new Map();
/** Packages' module namespaces by name, imported before the chunks that use them run. */
const packages = new Map();
/** A package for a chunk's `require`: its ES-module namespace, marked so the bundle's interop keeps it. */
function requirePackage(id) {
  const builtin = process.getBuiltinModule(id);
  if (builtin !== undefined) return builtin;
  const ns = packages.get(id);
  if (ns === undefined) throw new Error(`bme: package ${id} was not imported before its chunk`);
  return ns;
}

/** Our own import(): a package or a file resolves from here, as from any chunk (same folder). */
async function importModule(specifier) {
  const name = /^\.\/bme(-[\w-]+)?\.cjs$/.test(specifier) ? specifier.slice(2) : undefined;
  if (name === undefined) return import(specifier);
  await Promise.all(
    (PACKAGES[name] ?? []).map(async (id) => {
      if (!packages.has(id)) packages.set(id, { __esModule: true, ...(await import(id)) });
    }),
  );
  return loadChunk(name);
}

/**
 * FNV-1a over 32-bit words (then the last 0–3 bytes): any change of one word changes the sum
 * (each step is a bijection of the state), so a flipped bit or a torn block is always caught.
 */
function checksum(bytes) {
  const copy = new Uint8Array(bytes); // aligned, whatever the offset of `bytes` in its buffer
  const words = new Int32Array(copy.buffer, 0, copy.length >> 2);
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619);
  for (let i = words.length << 2; i < copy.length; i++) h = Math.imul(h ^ copy[i], 16777619);
  return h >>> 0;
}

/** The V8 code cache of `file` if it was made from exactly `source` and is intact, else undefined. */
function cacheFor(file, source) {
  let cache;
  try {
    cache = readFileSync(`${file}.v8cache`);
  } catch {
    return undefined;
  }
  const n = source.length;
  if (cache.length <= 8 + n || cache.readUInt32LE(0) !== n) return undefined;
  if (!cache.subarray(8, 8 + n).equals(source)) return undefined;
  const data = cache.subarray(8 + n);
  return checksum(data) === cache.readUInt32LE(4) ? data : undefined;
}

function loadChunk(name) {
  const known = chunks.get(name);
  if (known !== undefined) return known.module.exports;
  const file = join(here, name);
  const source = readFileSync(file);
  const script = new Script(`${WRAP}${source.toString("utf8")}\n})`, {
    filename: file,
    cachedData: WRITE_CACHE ? undefined : cacheFor(file, source),
  });
  const module = { exports: {} };
  chunks.set(name, { module, script, source, file });
  const own = (id) => (id.startsWith("./") ? loadChunk(id.slice(2)) : requirePackage(id));
  script.runInThisContext()(module.exports, own, module, file, here, importModule);
  return module.exports;
}

/** Write the code cache of every chunk this thread loaded (npm run build's training runs only). */
function writeCaches() {
  for (const { script, source, file } of chunks.values()) {
    const data = script.createCachedData();
    const head = Buffer.alloc(8);
    head.writeUInt32LE(source.length, 0);
    head.writeUInt32LE(checksum(data), 4);
    // whole or not at all: a cache cut short is refused by its checksum, but never left half-written
    writeFileSync(`${file}.v8cache.tmp`, Buffer.concat([head, source, data]));
    renameSync(`${file}.v8cache.tmp`, `${file}.v8cache`);
  }
}

// bme: the entry's own part (below); scripts/bundle-cli.mjs puts the Monte Carlo worker
// thread's in its place in dist/src/cli/thread.mjs
if (WRITE_CACHE)
  process.on("exit", () => {
    // the help's functions too, so `bme --help` finds them compiled
    chunks.get("bme.cjs").module.exports.buildProgram().helpInformation();
    writeCaches();
  });

const entry = await importModule("./bme.cjs");
export const { buildProgram, main } = entry;
