import { readFileSync } from "node:fs";

/** The fenced code blocks of a Markdown file whose info string is `lang`, in order. */
export function codeBlocks(file: string, lang: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```/gm;
  for (const m of text.matchAll(re)) if (m[1].trim().split(/\s+/)[0] === lang) out.push(m[2]);
  return out;
}
