import { Resvg } from "@resvg/resvg-js";
import type { EChartsOption } from "echarts";
import * as echarts from "echarts";
import { type FontSetup, fonts } from "./fonts.js";
import { textWidth } from "./textWidth.js";

export interface RenderSize {
  readonly width: number;
  readonly height: number;
}

export const DEFAULT_SIZE: RenderSize = { width: 900, height: 460 };

/**
 * Render an ECharts option to SVG (server-side, no DOM). Ids are renamed after `id`
 * (`stableIds`), so the same chart gives the same bytes whatever was drawn before it, and
 * several SVGs can share one HTML page.
 */
export function renderSvg(
  option: EChartsOption,
  id: string,
  size: RenderSize = DEFAULT_SIZE,
): string {
  // ECharts has no canvas to measure text here: give it the PNG font's widths
  echarts.setPlatformAPI({ measureText: (text, font) => ({ width: textWidth(text ?? "", font) }) });
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    chart.setOption({ ...option, animation: false });
    return stableIds(chart.renderToSVGString(), id);
  } finally {
    chart.dispose();
  }
}

/**
 * ECharts numbers its class, clip-path and gradient ids (`zr3-cls-41`, `zr3-c2`) with
 * process-wide counters; renumber them per SVG, in order of first use, under `c-<id>-`.
 */
export function stableIds(svg: string, id: string): string {
  const prefix = `c-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const seen = new Map<string, string>();
  const counts = new Map<string, number>();
  return svg.replace(/\bzr\d+-([A-Za-z]+)(-?)(\d+)\b/g, (token, kind: string, dash: string) => {
    let out = seen.get(token);
    if (out === undefined) {
      const n = counts.get(kind) ?? 0;
      counts.set(kind, n + 1);
      out = `${prefix}-${kind}${dash}${n}`;
      seen.set(token, out);
    }
    return out;
  });
}

/** SVG → PNG at `scale` (2 gives crisp images for docs), white background. */
export function svgToPng(svg: string, scale = 2, font: FontSetup = fonts()): Buffer {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      loadSystemFonts: font.files.length === 0,
      fontFiles: [...font.files],
      ...(font.family ? { defaultFontFamily: font.family, sansSerifFamily: font.family } : {}),
    },
  });
  return resvg.render().asPng();
}
