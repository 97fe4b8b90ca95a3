import type { Report, Table } from "./model.js";

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,Arial,Helvetica,sans-serif;margin:0 auto;max-width:960px;padding:16px 20px 48px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.facts{color:#444;margin:.3em 0 1em}.facts span{margin-right:1.2em;white-space:nowrap}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}caption{text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
figure{margin:1.2em 0 2em}figure svg{max-width:100%;height:auto;display:block}
figcaption{color:#444;font-size:.92em;margin-top:.3em}figcaption a{color:#3366aa}
nav.toc{margin:.6em 0 1em}nav.toc ol{margin:.2em 0;padding-left:1.6em}nav.toc a{color:#3366aa}
@media print{section.page{break-before:page}figure{break-inside:avoid}}
`;

/** Sections from which a report lists its contents at the top. */
const TOC_MIN = 3;

/**
 * Each heading's anchor: lower case, runs of other characters than letters and digits as one
 * `-` (`demandCrash — PASS` → `demandcrash-pass`), `-2`, `-3`, … on a repeat.
 */
export function sectionIds(headings: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headings.map((h) => {
    const base =
      h
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, "-")
        .replace(/^-|-$/g, "") || "section";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

const NUMERIC = /^[-+]?[\d,.]+(e[-+]?\d+)?( \(day \d+\))?$/;

function tableHtml(t: Table): string {
  const head = t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const rows = t.rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td${NUMERIC.test(c) ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const caption = t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/**
 * The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no
 * external resources, no timestamps. `svgs` maps each chart name to its SVG.
 */
export function reportHtml(report: Report, svgs: ReadonlyMap<string, string>): string {
  const facts = report.facts
    .map(([k, v]) => `<span>${escapeHtml(k)}: <b>${escapeHtml(v)}</b></span>`)
    .join("");
  const ids = sectionIds(report.sections.map((s) => s.id ?? s.heading));
  const toc =
    report.sections.length >= TOC_MIN
      ? `<nav class="toc"><b>Contents</b><ol>${report.sections
          .map((s, i) => `<li><a href="#${ids[i]}">${escapeHtml(s.heading)}</a></li>`)
          .join("")}</ol></nav>`
      : "";
  const sections = report.sections.map((s, i) => {
    // a report of pages starts each section but the first on a new page when printed
    const page = report.pages && i > 0 ? ' class="page"' : "";
    const parts = [`<section id="${ids[i]}"${page}>`, `<h2>${escapeHtml(s.heading)}</h2>`];
    if (s.intro) parts.push(`<p>${escapeHtml(s.intro)}</p>`);
    for (const t of s.tables ?? []) parts.push(tableHtml(t));
    for (const c of s.charts) {
      const svg = svgs.get(c.name) ?? "";
      parts.push(
        `<figure id="chart-${escapeHtml(c.name)}">\n${svg}\n<figcaption>${escapeHtml(c.caption)} ` +
          `<a href="charts/${escapeHtml(c.name)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.name)}.png">PNG</a></figcaption>\n</figure>`,
      );
    }
    parts.push("</section>");
    return parts.join("\n");
  });
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeHtml(report.title)}</h1>`,
    `<div class="facts">${facts}</div>`,
    report.description ? `<p>${escapeHtml(report.description)}</p>` : "",
    toc,
    ...sections,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
