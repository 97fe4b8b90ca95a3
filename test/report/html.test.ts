import { describe, expect, it } from "vitest";
import { reportHtml, sectionIds } from "../../src/report/html.js";
import type { Report } from "../../src/report/model.js";

const report = (headings: string[], pages?: boolean): Report => ({
  title: "T",
  facts: [],
  sections: headings.map((heading) => ({ heading, charts: [] })),
  pages,
});

describe("the report page: contents and pages", () => {
  it("anchors each heading: lower case, other characters as one dash, repeats numbered", () => {
    expect(
      sectionIds(["Verdict", "demandCrash — PASS", "sellWave — not applicable", "Verdict", "—"]),
    ).toEqual(["verdict", "demandcrash-pass", "sellwave-not-applicable", "verdict-2", "section"]);
  });

  it("lists the contents from three sections, each linking to its section", () => {
    const html = reportHtml(report(["A", "B b", "C"]), new Map());
    expect(html).toContain(
      '<nav class="toc"><b>Contents</b><ol><li><a href="#a">A</a></li><li><a href="#b-b">B b</a></li><li><a href="#c">C</a></li></ol></nav>',
    );
    for (const id of ["a", "b-b", "c"]) expect(html).toContain(`<section id="${id}">`);
    // two sections need no contents
    expect(reportHtml(report(["A", "B"]), new Map())).not.toContain("<nav");
  });

  it("a report of pages starts every section but the first on a new printed page", () => {
    const html = reportHtml(report(["A", "B", "C"], true), new Map());
    expect(html.match(/<section id="\w+" class="page">/g)).toEqual([
      '<section id="b" class="page">',
      '<section id="c" class="page">',
    ]);
    expect(html).toContain('<section id="a">');
    expect(reportHtml(report(["A", "B", "C"]), new Map())).not.toContain('class="page"');
  });
});

describe("a section's own anchor", () => {
  it("is used instead of the heading's, so a link survives a change of heading", () => {
    const r: Report = {
      title: "T",
      facts: [],
      sections: [
        { heading: "A", charts: [] },
        { heading: "demandCrash — FAIL", id: "demandCrash", charts: [] },
        { heading: "C", charts: [] },
      ],
    };
    const html = reportHtml(r, new Map());
    expect(html).toContain('<section id="demandcrash">');
    expect(html).toContain('<a href="#demandcrash">demandCrash — FAIL</a>');
  });
});
