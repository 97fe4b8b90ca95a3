/**
 * The newcomer's dashboard findings: noise off is `bme run --deterministic`, the scenarios in
 * folders are listed, a link with an invalid value still draws, a pasted `extends` is followed
 * (inside the scenarios folder only), unknown paths are 404, the left panel does not overflow.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { REPO, type ServeChild, startServe, stopByPid } from "./server.js";

type Probe = {
  ready: boolean;
  redraws: number;
  series: Record<string, number[]> | null;
  issues: { path: string; message: string }[];
  shown: string;
};
const probe = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __bme: Probe }).__bme);
const ready = (page: Page) =>
  page.waitForFunction(() => (globalThis as unknown as { __bme: Probe }).__bme?.ready);

const BASE = () => process.env.BME_E2E_URL ?? "";

/** `bme run <file> --deterministic [extra]`: the token price column of its CSV. */
function cliPrice(file: string, extra: string[] = []): number[] {
  const out = join(mkdtempSync(join(tmpdir(), "bme-e2e-det-")), "run.csv");
  execFileSync(
    process.execPath,
    [
      join(REPO, "dist/src/cli/main.js"),
      "run",
      file,
      "--deterministic",
      "--quiet",
      "--out",
      out,
      ...extra,
    ],
    { timeout: 60_000 },
  );
  const [head, ...rows] = readFileSync(out, "utf8").trim().split("\n");
  const col = head.split(",").indexOf("priceOfToken");
  return rows.map((r) => Number(r.split(",")[col]));
}

const JUMP_CRASH = join(REPO, "scenarios/stress/jump-crash.yaml");

test.describe("bme serve scenarios/stress/jump-crash.yaml", () => {
  let server: ServeChild;
  test.beforeAll(async () => {
    server = await startServe([JUMP_CRASH]);
  });
  test.afterAll(async () => {
    await stopByPid(server.pid);
  });

  test("noise off (the default) draws bme run --deterministic, not the seed-0 run", async ({
    page,
  }) => {
    await page.goto(`${server.url}?file=1`);
    await ready(page);
    const drawn = (await probe(page)).series!.priceOfToken;
    // the newcomer's figures: --deterministic ends at 0.02419, --seed 0 at 0.007255
    expect(drawn[drawn.length - 1]).toBeCloseTo(0.02419, 5);
    expect(drawn).toEqual(cliPrice(JUMP_CRASH));
  });
});

test("the scenario list has the scenarios of stress/ and feedback/, and they load", async ({
  page,
}) => {
  await page.goto(`${BASE()}?s=whitepaper`);
  await ready(page);
  const options = await page.getByTestId("scenario-select").locator("option").allTextContents();
  expect(options).toContain("stress/jump-crash");
  expect(options).toContain("feedback/death-spiral");
  await page.getByTestId("scenario-select").selectOption("s:stress/jump-crash");
  await page.waitForFunction(() => {
    const p = (globalThis as unknown as { __bme: Probe }).__bme.series?.priceOfToken;
    return p !== undefined && Math.abs(p[p.length - 1] - 0.02419) < 5e-6;
  });
  await expect(page).toHaveURL(/s=stress%2Fjump-crash/);
});

test("a shared link with an invalid value draws the scenario's own values and says so", async ({
  page,
}) => {
  // buybackModulation is a fraction in [0, 1] (docs/model.md §4): 1.5 is invalid
  await page.goto(`${BASE()}?s=whitepaper&set=onchain.buybackModulation%3D1.5`);
  await ready(page);
  await expect(page.getByTestId("invalid-banner")).toContainText("scenario's own values");
  await expect(page.getByTestId("invalid-banner")).toContainText("onchain.buybackModulation");
  const p = await probe(page);
  expect(p.shown).toBe("scenario");
  expect(p.series!.priceOfToken).toEqual(cliPrice(join(REPO, "scenarios/whitepaper.yaml")));
});

async function paste(page: Page, yaml: string): Promise<void> {
  await page.goto(`${BASE()}?s=whitepaper`);
  await ready(page);
  await page.getByTestId("scenario-select").selectOption("paste");
  await page.getByTestId("paste-text").fill(yaml);
  await page.getByTestId("paste-load").click();
}

test("pasted YAML extends a shipped scenario, named inside the scenarios folder", async ({
  page,
}) => {
  await paste(page, "extends: stress/jump-crash.yaml\ndays: 90\n");
  await page.waitForFunction(
    () => (globalThis as unknown as { __bme: Probe }).__bme.series?.priceOfToken.length === 90,
  );
  expect((await probe(page)).issues).toEqual([]);
  expect((await probe(page)).series!.priceOfToken).toEqual(cliPrice(JUMP_CRASH, ["--days", "90"]));
});

test("pasted YAML extending a file outside the scenarios folder is refused, saying why", async ({
  page,
}) => {
  await paste(page, "extends: ../package.json\ndays: 90\n");
  await expect(page.locator(".side .error").first()).toContainText("not a shipped scenario");
});

test("unknown paths are 404; the page is at /", async ({ request }) => {
  expect((await request.get(`${BASE()}no-such-page`)).status()).toBe(404);
  expect((await request.get(`${BASE()}docs/whatever.js`)).status()).toBe(404);
  expect((await request.get(`${BASE()}api/nope`)).status()).toBe(404);
  expect((await request.get(BASE())).status()).toBe(200);
});

for (const [width, height] of [
  [1280, 800],
  [1024, 768],
]) {
  for (const query of [
    "s=whitepaper",
    "s=feedback%2Fdeath-spiral",
    // a long path=value change and its error (the newcomer's overflow): they wrap
    "s=marketplace-dishonest&set=suppliers.dedicatedServerProviders.count.start%3D-1",
    "s=whitepaper&set=averyveryverylongpathwithoutanybreaksinthewholestring.x%3D1",
  ]) {
    test(`the left panel does not scroll sideways at ${width}×${height} (${query})`, async ({
      page,
    }) => {
      await page.setViewportSize({ width, height });
      await page.goto(`${BASE()}?${query}`);
      await ready(page);
      const sizes = await page.locator("aside.side").evaluate((el) => ({
        scroll: el.scrollWidth,
        client: el.clientWidth,
        wide: [...el.querySelectorAll("*")]
          .filter((e) => e.getBoundingClientRect().right > el.getBoundingClientRect().right + 0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName}.${e.className}`),
      }));
      expect(sizes.wide).toEqual([]);
      expect(sizes.scroll).toBeLessThanOrEqual(sizes.client);
    });
  }
}
