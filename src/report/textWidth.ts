/**
 * Advance widths of DejaVu Sans (the font the PNGs are drawn with), in em, measured once
 * with resvg. ECharts lays text out without a canvas from Arial-like widths, which are ~8%
 * narrower: legends then overlap in the PNGs. This table makes the layout match the font.
 */
/** The characters measured: printable ASCII, then – − · → … */
const CHARS =
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~–−·→…";
/** Width of each of CHARS, in em. */
const EM = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.316,
  0.337, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838,
  0.838, 0.838, 0.531, 1, 0.709, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295,
  0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.595, 0.732, 0.684, 0.989, 0.685,
  0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.344, 0.635,
  0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.395, 0.521, 0.392, 0.634,
  0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838, 0.5, 0.838, 0.318, 0.838, 1,
];
const WIDTHS: ReadonlyMap<string, number> = new Map([...CHARS].map((c, i) => [c, EM[i]]));

/** Bold glyphs of DejaVu Sans are about 10% wider. */
const BOLD = 1.1;

/** Width in px of `text` drawn in the CSS `font` (e.g. "bold 16px sans-serif"). */
export function textWidth(text: string, font = "12px sans-serif"): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  const scale = /\bbold\b|\b[6-9]00\b/.test(font) ? BOLD : 1;
  let em = 0;
  for (const ch of text) em += WIDTHS.get(ch) ?? 0.7;
  return em * size * scale;
}
