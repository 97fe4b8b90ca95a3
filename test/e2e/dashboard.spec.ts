import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { REPO, startServe, stopByPid } from "./server.js";

const BASE = () => {
  const url = process.env.BME_E2E_URL;
  if (!url) throw new Error("BME_E2E_URL is not set: the global setup starts the server");
  return url;
};

type Probe = {
  ready: boolean;
  redraws: number;
  series: Record<string, number[]>;
  pinned: Record<string, number[]> | null;
  bands: Record<string, Record<string, number[]>> | null;
  charts: Record<string, Record<string, number[]>>;
  marks: Record<string, { day: number; label: string }[]>;
  mcRuns: number | null;
};

async function open(page: Page, query: string): Promise<void> {
  await page.goto(`${BASE()}?${query}`);
  await page.waitForFunction(() => (globalThis as unknown as { __bme: Probe }).__bme?.ready);
}

const probe = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __bme: Probe }).__bme);

/** Move a slider and wait for the redraw it causes. */
async function slide(page: Page, name: string, value: string): Promise<void> {
  const before = (await probe(page)).redraws;
  await page.getByTestId(`slider-${name}`).fill(value);
  await page.waitForFunction(
    (n) => (globalThis as unknown as { __bme: Probe }).__bme.redraws > n,
    before,
  );
}

// docs/model.md §8: phase 2 begins on day 30 in the whitepaper scenario; no demand before it.
const PHASE_TWO = 30;

test("raising the buyback slider raises the price on every phase-2 day, not before", async ({
  page,
}) => {
  await open(page, "s=whitepaper&set=onchain.buybackModulation=0.5");
  const before = (await probe(page)).charts.price["token price"];
  expect(before).toHaveLength(180);
  await slide(page, "buybackModulation", "1");
  const after = (await probe(page)).charts.price["token price"];
  // E7: a larger buyback share turns more of the supplier pool into token demand, and E10's
  // price is demand over supply; phase 1 has no income, so its days do not move.
  for (let t = 0; t < PHASE_TWO; t++) expect(after[t]).toBe(before[t]);
  for (let t = PHASE_TWO; t < 180; t++) expect(after[t]).toBeGreaterThan(before[t]);
  await expect(page.getByTestId("input-buybackModulation")).toHaveValue("1");
  expect(page.url()).toContain("set=onchain.buybackModulation%3D1");
});

test("the Monte Carlo toggle draws ordered bands over the runs asked for", async ({ page }) => {
  await open(page, "s=whitepaper");
  await page.getByTestId("mc-runs").fill("60");
  await page.getByTestId("mc-toggle").check();
  await page.waitForFunction(() => (globalThis as unknown as { __bme: Probe }).__bme.mcRuns === 60);
  await expect(page.getByTestId("mc-info")).toContainText("60 runs");
  const p = await probe(page);
  const b = p.bands!.priceOfToken;
  let spread = 0;
  for (let t = PHASE_TWO; t < 180; t++) {
    expect(b.p5[t]).toBeLessThanOrEqual(b.p25[t]);
    expect(b.p25[t]).toBeLessThanOrEqual(b.p50[t]);
    expect(b.p50[t]).toBeLessThanOrEqual(b.p75[t]);
    expect(b.p75[t]).toBeLessThanOrEqual(b.p95[t]);
    spread = Math.max(spread, b.p95[t] - b.p5[t]);
  }
  // demand has 10% noise from day 30: the runs differ, so the outer band has width
  expect(spread).toBeGreaterThan(0);
  // the price chart holds the band series and the median line
  const names = Object.keys(p.charts.price);
  expect(names).toContain("token price median");
  expect(names.filter((n) => n.startsWith("·"))).toHaveLength(4);
});

test("a long Monte Carlo shows progress and can be cancelled", async ({ page }) => {
  await open(page, "s=whitepaper");
  await page.getByTestId("mc-runs").fill("5000");
  await page.getByTestId("mc-toggle").check();
  await expect(page.getByTestId("mc-progress")).toBeVisible();
  await page.getByTestId("mc-cancel").click();
  await expect(page.getByTestId("mc-progress")).toHaveCount(0);
  await expect(page.getByTestId("mc-toggle")).not.toBeChecked();
  expect((await probe(page)).bands).toBeNull();
});

test("pinning A then lowering the buyback overlays A and B and shows B − A", async ({ page }) => {
  await open(page, "s=whitepaper");
  const a = (await probe(page)).series.priceOfToken;
  await page.getByTestId("pin").click();
  await slide(page, "buybackModulation", "0.5");
  const p = await probe(page);
  expect(p.pinned!.priceOfToken).toEqual(a);
  expect(p.series.priceOfToken[179]).toBeLessThan(a[179]);
  expect(Object.keys(p.charts.price)).toEqual(["token price (B)", "token price (A)"]);
  // less buyback demand, lower final price: the difference is negative
  await expect(page.getByTestId("delta-finalPrice")).toHaveText(/^-/);
  // the same phase change day in both arms
  await expect(page.getByTestId("delta-phaseChangeDay")).toHaveText("0");
  expect(page.url()).toContain("pin=1");
});

test("a shared link restores the levers, the pinned arm and the charts", async ({
  page,
  context,
}) => {
  await open(page, "s=whitepaper");
  await page.getByTestId("pin").click();
  await slide(page, "fiatOperationsFraction", "0.5");
  await slide(page, "buybackModulation", "0.7");
  const first = await probe(page);
  const link = page.url();

  const other = await context.newPage();
  await other.goto(link);
  await other.waitForFunction(() => (globalThis as unknown as { __bme: Probe }).__bme?.ready);
  const second = await probe(other);
  await expect(other.getByTestId("input-buybackModulation")).toHaveValue("0.7");
  await expect(other.getByTestId("input-fiatOperationsFraction")).toHaveValue("0.5");
  expect(second.series.priceOfToken).toEqual(first.series.priceOfToken);
  expect(second.pinned!.priceOfToken).toEqual(first.pinned!.priceOfToken);
});

test("an invalid value shows the schema's message beside its field and keeps the charts", async ({
  page,
}) => {
  await open(page, "s=whitepaper");
  const before = (await probe(page)).series.priceOfToken;
  await page.getByTestId("input-buybackModulation").fill("1.5");
  // docs/model.md §4: buybackModulation is a fraction in [0, 1]
  await expect(page.getByTestId("error-buybackModulation")).toContainText("<=1");
  await expect(page.getByTestId("invalid-banner")).toBeVisible();
  expect((await probe(page)).series.priceOfToken).toEqual(before);
  await page.getByTestId("input-buybackModulation").fill("0.9");
  await expect(page.getByTestId("error-buybackModulation")).toHaveCount(0);
});

test("a pasted scenario is explored and travels in the link", async ({ page, request }) => {
  const shipped = await (await request.get(`${BASE()}api/scenarios/whitepaper`)).json();
  const yaml = (shipped.yaml as string).replace(/^days: 180/m, "days: 90");
  await open(page, "s=whitepaper");
  await page.getByTestId("scenario-select").selectOption("paste");
  await page.getByTestId("paste-text").fill(yaml);
  await page.getByTestId("paste-load").click();
  await page.waitForFunction(
    () => (globalThis as unknown as { __bme: Probe }).__bme.series.priceOfToken.length === 90,
  );
  expect(page.url()).toContain("y=");
  await page.reload();
  await page.waitForFunction(
    () => (globalThis as unknown as { __bme: Probe }).__bme.series?.priceOfToken.length === 90,
  );
});

test("a schedule vote is drawn on every time chart, at its day", async ({ page }) => {
  // scenarios/whitepaper-sec-case.yaml: governance sets buybackModulation to 1 on day 90
  await open(page, "s=whitepaper-sec-case");
  const marks = (await probe(page)).marks as Record<string, { day: number; label: string }[]>;
  for (const id of ["price", "supply", "tokenReserve", "dollarReserve", "demand", "burnMint"])
    expect(marks[id], id).toContainEqual({ day: 90, label: "vote: buybackModulation = 1" });
});

test("the Experiments list shows how many points each experiment has", async ({ page }) => {
  test.setTimeout(120_000); // two experiments are computed first, by the CLI
  const dir = mkdtempSync(join(tmpdir(), "bme-e2e-store-"));
  const store = join(dir, "results.duckdb");
  // a sweep of 3 points (a grid of three values) and a Monte Carlo of 1 point
  const cli = join(REPO, "dist/src/cli/main.js");
  const scenario = join(REPO, "scenarios/whitepaper.yaml");
  for (const args of [
    ["sweep", scenario, "--grid", "onchain.buybackModulation=0.5,0.75,1"],
    ["montecarlo", scenario],
  ])
    execFileSync(process.execPath, [
      cli,
      ...args,
      "--runs",
      "4",
      "--workers",
      "1",
      "--store",
      store,
      "--quiet",
    ]);
  const server = await startServe([scenario, "--store", store]);
  try {
    await page.goto(`${server.url}?s=whitepaper`);
    await page.getByRole("button", { name: "Experiments" }).click();
    const dialog = page.getByRole("dialog", { name: "Stored experiments" });
    await expect(dialog.getByRole("row", { name: /sweep-0001/ })).toContainText("3");
    const cells = async (id: string) =>
      dialog
        .getByRole("row", { name: new RegExp(id) })
        .getByRole("cell")
        .allTextContents();
    const head = await dialog.getByRole("columnheader").allTextContents();
    const col = head.indexOf("points");
    expect(col).toBeGreaterThan(0);
    expect((await cells("sweep-0001"))[col]).toBe("3");
    expect((await cells("mc-0002"))[col]).toBe("1");
  } finally {
    await stopByPid(server.pid);
  }
});

test("every chart downloads as PNG and as CSV", async ({ page }) => {
  await open(page, "s=whitepaper");
  const csvDownload = page.waitForEvent("download");
  await page.getByTestId("csv-price").click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe("whitepaper-price.csv");
  const text = readFileSync((await csv.path())!, "utf8")
    .trim()
    .split("\n");
  expect(text[0]).toBe("day,token price (usd/token)");
  expect(text).toHaveLength(1 + 180);
  // day 0: 20,000 usd of sentiment over 2,000,000 tokens (docs/model.md §8)
  expect(text[1]).toBe("0,0.01");
  const pngDownload = page.waitForEvent("download");
  await page.getByTestId("png-burnMint").click();
  const png = await pngDownload;
  expect(png.suggestedFilename()).toBe("whitepaper-burnMint.png");
  const bytes = readFileSync((await png.path())!);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.length).toBeGreaterThan(5_000);
});

test("a stored sweep is drawn as a heatmap and a sensitivity as a tornado", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000); // two experiments are computed first, by the CLI
  const dir = mkdtempSync(join(tmpdir(), "bme-e2e-charts-"));
  const store = join(dir, "results.duckdb");
  const cli = join(REPO, "dist/src/cli/main.js");
  const scenario = join(REPO, "scenarios/whitepaper.yaml");
  for (const args of [
    [
      "sweep",
      scenario,
      "--grid",
      "onchain.buybackModulation=0.5,1",
      "--grid",
      "onchain.bondModulation=0.1,0.2",
    ],
    ["sensitivity", scenario],
  ])
    execFileSync(process.execPath, [
      cli,
      ...args,
      "--runs",
      "2",
      "--workers",
      "1",
      "--store",
      store,
      "--quiet",
    ]);
  const server = await startServe([scenario, "--store", store]);
  type Chart = {
    kind: string;
    cells?: [number, number, number][];
    xs?: unknown[];
    ys?: unknown[];
    rows?: { variable: string; baseValue: number; low: number; high: number }[];
  };
  const read = () =>
    page.evaluate(
      () => (globalThis as unknown as { __bmeExperimentChart: unknown }).__bmeExperimentChart,
    ) as Promise<Chart | null | undefined>;
  // the panel publishes its chart's data in an effect, after the element is painted (and the
  // previous chart's data stays until then): wait, bounded by expect's timeout, for this kind
  const chart = async (kind: string) => {
    await expect.poll(async () => (await read())?.kind).toBe(kind);
    return (await read()) as Chart;
  };
  try {
    await page.goto(`${server.url}?s=whitepaper`);
    await page.getByRole("button", { name: "Experiments" }).click();
    const dialog = page.getByRole("dialog", { name: "Stored experiments" });
    await dialog.getByRole("row", { name: /sweep-0001/ }).click();
    await expect(page.getByTestId("experiment-heatmap")).toBeVisible();
    const heat = await chart("heatmap");
    expect([heat.xs, heat.ys]).toEqual([
      [0.5, 1],
      [0.1, 0.2],
    ]);
    // each cell is its point's stored mean of finalPrice
    const stored = await (await request.get(`${server.url}api/experiments/sweep-0001`)).json();
    const means = stored.points.map(
      (p: { summary: { finalPrice: { mean: number } } }) => p.summary.finalPrice.mean,
    );
    expect(heat.cells!.map((c) => c[2]).sort()).toEqual([...means].sort());
    await dialog.getByRole("button", { name: "Back" }).click();
    await dialog.getByRole("row", { name: /sens-0002/ }).click();
    await expect(page.getByTestId("experiment-tornado")).toBeVisible();
    const tornado = await chart("tornado");
    const bm = tornado.rows!.find((r) => r.variable === "buybackModulation")!;
    // the whitepaper's buybackModulation is 1; −10% is 0.9 and +10% clamps to 1
    expect([bm.baseValue, bm.low, bm.high]).toEqual([1, 0.9, 1]);
  } finally {
    await stopByPid(server.pid);
  }
});

test("forms edit consumer types, supplier classes and series, not only path=value", async ({
  page,
}) => {
  await open(page, "s=whitepaper");
  await expect(page.getByTestId("consumer-tpuTraining")).toBeVisible();
  await expect(page.getByTestId("supplier-modelTrainingProviders")).toBeVisible();
  await expect(page.getByTestId("series-consumerSentiment")).toBeVisible();
  // gpuTraining: 200 jobs/day from day 30, +5 a day (docs/model.md §8); start it at 300
  const field = page.getByTestId("field-consumers.gpuTraining.jobsPerDay.start");
  await expect(field).toHaveValue("200");
  const before = (await probe(page)).redraws;
  await field.fill("300");
  await field.press("Enter");
  await page.waitForFunction(
    (n) => (globalThis as unknown as { __bme: Probe }).__bme.redraws > n,
    before,
  );
  const jobs = (await probe(page)).series["jobCreated.gpuTraining"];
  expect([jobs[29], jobs[30], jobs[31]]).toEqual([0, 300, 305]);
  expect(page.url()).toContain("set=consumers.gpuTraining.jobsPerDay.start%3D300");
  // a higher TPU price raises income, so buyback demand and the price, on every phase-2 day
  const price = (await probe(page)).charts.price["token price"];
  const unit = page.getByTestId("field-consumers.tpuTraining.unitPrice");
  await expect(unit).toHaveValue("18");
  const r2 = (await probe(page)).redraws;
  await unit.fill("36");
  await unit.press("Enter");
  await page.waitForFunction(
    (n) => (globalThis as unknown as { __bme: Probe }).__bme.redraws > n,
    r2,
  );
  const after = (await probe(page)).charts.price["token price"];
  for (let t = 0; t < PHASE_TWO; t++) expect(after[t]).toBe(price[t]);
  for (let t = PHASE_TWO; t < 180; t++) expect(after[t]).toBeGreaterThan(price[t]);
});
