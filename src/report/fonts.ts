import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The fonts PNG rendering uses, and what to tell the user when there are none. */
export interface FontSetup {
  /** Font files to load (empty: let resvg scan the system fonts). */
  readonly files: readonly string[];
  /** Family name for generic `sans-serif` text, when known. */
  readonly family: string | null;
  /** Set when no font was found: the PNGs will have no text. */
  readonly warning: string | null;
}

/** Preferred sans-serif fonts, regular and bold, by file name. */
const PREFERRED: readonly { family: string; regular: string; bold: string }[] = [
  { family: "DejaVu Sans", regular: "DejaVuSans.ttf", bold: "DejaVuSans-Bold.ttf" },
  {
    family: "Liberation Sans",
    regular: "LiberationSans-Regular.ttf",
    bold: "LiberationSans-Bold.ttf",
  },
  { family: "Arial", regular: "Arial.ttf", bold: "Arial Bold.ttf" },
  { family: "Arial", regular: "arial.ttf", bold: "arialbd.ttf" },
];

const FONT_FILE = /\.(ttf|otf|ttc)$/i;

/** Where fonts live on Linux, macOS and Windows. */
export function fontDirs(): string[] {
  const home = homedir();
  return [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    join(home, ".fonts"),
    join(home, ".local/share/fonts"),
    "/Library/Fonts",
    "/System/Library/Fonts",
    join(process.env.WINDIR ?? "C:\\Windows", "Fonts"),
  ];
}

/** Every font file under `dir` (depth-limited), by file name → path. */
function scan(dir: string, found: Map<string, string>, depth = 0): void {
  if (depth > 4 || !existsSync(dir)) return;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (FONT_FILE.test(name)) {
      if (!found.has(name)) found.set(name, path);
      continue;
    }
    try {
      if (statSync(path).isDirectory()) scan(path, found, depth + 1);
    } catch {
      // unreadable entry: skip
    }
  }
}

/**
 * Find a font for the PNGs. `BME_FONT_FILE` (a .ttf/.otf path) wins; then DejaVu Sans,
 * Liberation Sans or Arial; then any system font. With none, PNGs are still written (text
 * missing) and `warning` says how to install one.
 */
export function findFonts(dirs: readonly string[] = fontDirs()): FontSetup {
  const env = process.env.BME_FONT_FILE;
  if (env && existsSync(env)) return { files: [env], family: null, warning: null };
  const found = new Map<string, string>();
  for (const dir of dirs) scan(dir, found);
  for (const p of PREFERRED) {
    const regular = found.get(p.regular);
    if (regular === undefined) continue;
    const bold = found.get(p.bold);
    return { files: bold ? [regular, bold] : [regular], family: p.family, warning: null };
  }
  if (found.size > 0) return { files: [], family: null, warning: null };
  return {
    files: [],
    family: null,
    warning:
      "no font found: the PNG charts have no text (the SVG and HTML charts are unaffected). " +
      "Install one (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set BME_FONT_FILE to a .ttf file.",
  };
}

let cached: FontSetup | null = null;

/** `findFonts()`, looked up once per process. */
export function fonts(): FontSetup {
  cached ??= findFonts();
  return cached;
}
