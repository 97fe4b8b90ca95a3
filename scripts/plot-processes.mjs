// Draw the documentation plots of the stochastic input processes (docs/model-stress.md):
//   npm run build && node scripts/plot-processes.mjs
import { writeFileSync } from "node:fs";
import { processPlots } from "../dist/src/processes/plots.js";
import { renderSvg, svgToPng } from "../dist/src/report/render.js";

for (const p of processPlots()) {
  const svg = renderSvg(p.option, p.name, { width: 760, height: 320 });
  writeFileSync(new URL(`../docs/images/${p.name}.png`, import.meta.url), svgToPng(svg));
  console.log(`docs/images/${p.name}.png`);
}
