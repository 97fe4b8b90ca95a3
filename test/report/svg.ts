/** Small readers of the SVGs ECharts writes, for the report tests. */

/** Text content of every <text> element, entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&"),
  );
}

/** Polylines drawn with `stroke` (a series colour; legend icons, which are translated, excluded): points of each. */
export function polylinePoints(svg: string, stroke: string): number[] {
  return [...svg.matchAll(/<path d="(M[^"]*)"[^>]*>/g)]
    .filter((m) => m[0].includes(`stroke="${stroke}"`) && !m[0].includes("transform="))
    .map((m) => m[1])
    .filter((d) => /^M[-\d.]+ [-\d.]+(L[-\d.]+ [-\d.]+)+$/.test(d))
    .map((d) => d.split("L").length);
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
