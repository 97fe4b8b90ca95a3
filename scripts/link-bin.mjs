// `npx bme` in a checkout: npm exec looks for the command in node_modules/.bin first, where
// npm links the bins of dependencies but not the package's own. Link them there (and make the
// built files executable), so `npx bme …` runs this checkout's build without installing it.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const binDir = join(root, "node_modules", ".bin");
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(pkg.bin ?? {})) {
  const file = join(root, target);
  if (!existsSync(file)) throw new Error(`bin "${name}": ${target} is not built`);
  chmodSync(file, 0o755);
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, file), link);
}
