import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { OutputPathError } from "../io/atomic.js";

/**
 * `--report DIR` never mixes a report with other files: DIR must be missing, empty, or hold a
 * previous report only (`index.html` and `charts/` of .svg/.png files), which the new report
 * replaces whole (writeReport removes the old charts). Anything else is refused before any
 * work, naming up to three of the other files; so is an `index.html` that is a folder. `also`:
 * names the command writes beside the report (`bme stress --out` into the same folder). Light on
 * purpose: the CLI calls it before loading the charting code.
 */
export function checkReportDir(dir: string, also: readonly string[] = []): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  const other: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "index.html") {
      if (!statSync(join(dir, name)).isFile())
        throw new OutputPathError(
          dir,
          "its index.html is not a file; the report cannot be written",
        );
      continue;
    }
    if (also.includes(name)) continue;
    if (name === "charts" && statSync(join(dir, name)).isDirectory()) {
      for (const f of readdirSync(join(dir, name)))
        if (!/\.(svg|png)$/.test(f)) other.push(`charts/${f}`);
      continue;
    }
    other.push(name);
  }
  if (other.length > 0)
    throw new OutputPathError(
      dir,
      `holds files that are not a report (${other.slice(0, 3).join(", ")}${other.length > 3 ? ", …" : ""}); ` +
        "a report needs an empty folder or a previous report's, which it replaces",
    );
}
