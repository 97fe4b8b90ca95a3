import type { CustomSeriesOption } from "echarts";

/**
 * Error bars as an ECharts custom series: `data` rows are `[x, lo, hi]` (vertical bars) or,
 * with `horizontal`, `[lo, hi, y]` (a category y-axis). Whiskers are 10 px wide.
 */
export function errorBars(
  name: string,
  data: readonly (readonly (number | string)[])[],
  color: string,
  horizontal = false,
): CustomSeriesOption {
  return {
    type: "custom",
    name,
    data: data.map((d) => [...d]),
    itemStyle: { color },
    z: 3,
    encode: horizontal ? { x: [0, 1], y: 2 } : { x: 0, y: [1, 2] },
    renderItem: (_params, api) => {
      const a = horizontal
        ? api.coord([api.value(0), api.value(2)])
        : api.coord([api.value(0), api.value(1)]);
      const b = horizontal
        ? api.coord([api.value(1), api.value(2)])
        : api.coord([api.value(0), api.value(2)]);
      const w = 5;
      const style = { stroke: color, lineWidth: 1.5 };
      const line = (x1: number, y1: number, x2: number, y2: number) => ({
        type: "line" as const,
        shape: { x1, y1, x2, y2 },
        style,
      });
      const children = horizontal
        ? [
            line(a[0], a[1], b[0], b[1]),
            line(a[0], a[1] - w, a[0], a[1] + w),
            line(b[0], b[1] - w, b[0], b[1] + w),
          ]
        : [
            line(a[0], a[1], b[0], b[1]),
            line(a[0] - w, a[1], a[0] + w, a[1]),
            line(b[0] - w, b[1], b[0] + w, b[1]),
          ];
      return { type: "group", children };
    },
  };
}
