import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findFonts } from "../../src/report/fonts.js";
import { svgToPng } from "../../src/report/render.js";
import { textWidth } from "../../src/report/textWidth.js";
import { PNG_SIGNATURE } from "./svg.js";

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="24">price</text></svg>';

describe("fonts for the PNGs", () => {
  it("without any font, says how to install one", () => {
    const f = findFonts([mkdtempSync(join(tmpdir(), "no-fonts-"))]);
    expect(f.files).toEqual([]);
    expect(f.warning).toContain("apt-get install fonts-dejavu-core");
  });

  it("prefers DejaVu Sans, regular and bold, wherever it is found", () => {
    const dir = mkdtempSync(join(tmpdir(), "fonts-"));
    for (const name of ["Other.ttf", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
      writeFileSync(join(dir, name), "");
    const f = findFonts([dir]);
    expect(f.family).toBe("DejaVu Sans");
    expect(f.files).toEqual([join(dir, "DejaVuSans.ttf"), join(dir, "DejaVuSans-Bold.ttf")]);
    expect(f.warning).toBeNull();
  });

  it("still writes a PNG when the font file cannot be read", () => {
    const png = svgToPng(SVG, 1, { files: ["/no/such/font.ttf"], family: "Nope", warning: null });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it("measures text with DejaVu Sans widths: 'day' at 13 px is (0.635 + 0.613 + 0.592) · 13 px", () => {
    expect(textWidth("day", "13px sans-serif")).toBeCloseTo(1.84 * 13, 9);
    expect(textWidth("day", "bold 13px sans-serif")).toBeCloseTo(1.84 * 13 * 1.1, 9);
  });
});
