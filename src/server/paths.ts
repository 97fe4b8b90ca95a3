import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The installed package's root: the nearest folder above this module whose package.json is
 * bme-sim's (so shipped scenarios and the built web app are found wherever the package is
 * installed, never relative to the cwd). `BME_ROOT` overrides it (development builds).
 */
export function packageRoot(): string {
  if (process.env.BME_ROOT) return process.env.BME_ROOT;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "bme-sim")
          return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where the shipped scenarios and the built dashboard live. */
export function packagePaths(root = packageRoot()): { scenarioDir: string; webDir: string } {
  return { scenarioDir: join(root, "scenarios"), webDir: join(root, "dist", "web") };
}
