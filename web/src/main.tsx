import { render } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { parse as parseYaml } from "yaml";
import { wholeNumberText } from "../../src/scenario/numberText.js";
import { applyOverrides } from "../../src/scenario/overrides.js";
import {
  type ChartData,
  type ChartSpec as ChartSpecWeb,
  chartCsv,
  chartOption,
  chartSpecs,
  scheduleVotes,
} from "./charts.js";
import { type EChartsType, initChart } from "./echarts.js";
import { bandsCsv, download, runCsv, scenarioYaml } from "./exports.js";
import { type McDone, type McHandle, startMonteCarlo } from "./mc.js";
import {
  type Changes,
  changeList,
  type Metrics,
  prepare,
  runOnce,
  type SingleRun,
} from "./model.js";
import { Experiments, type OpenPoint } from "./panels/Experiments.js";
import { MarketForms } from "./panels/MarketForms.js";
import { MetricsTable } from "./panels/MetricsTable.js";
import { OnchainPanel } from "./panels/OnchainPanel.js";
import { OtherChanges } from "./panels/OtherChanges.js";
import { PasteDialog } from "./panels/PasteDialog.js";
import "./style.css";
import { DEFAULT_RUNS, decodeState, encodeState, type SourceRef } from "./url.js";

/** What the page exposes for the end-to-end tests and the bench. */
interface BmeProbe {
  ready: boolean;
  redraws: number;
  /** Slider input → every chart redrawn, in ms (performance.now in the page). */
  lastLatencyMs: number | null;
  /** Of the last redraw: the engine run (parse, compile, 1 run), and the charts' setOption. */
  simulateMs: number | null;
  drawMs: number | null;
  latencies: number[];
  series: Record<string, number[]> | null;
  pinned: Record<string, number[]> | null;
  bands: Record<string, Record<string, number[]>> | null;
  charts: Record<string, Record<string, number[]>>;
  /** Per chart: the days and labels of its vertical marks (phase change, votes). */
  marks: Record<string, { day: number; label: string }[]>;
  mcRuns: number | null;
  metrics: Metrics | null;
  pinnedMetrics: Metrics | null;
  issues: { path: string; message: string }[];
  /** What the charts show (see Shown). */
  shown: Shown;
}
declare global {
  interface Window {
    __bme: BmeProbe;
    __bmeInputAt?: number;
  }
}
window.__bme = {
  ready: false,
  redraws: 0,
  lastLatencyMs: null,
  simulateMs: null,
  drawMs: null,
  latencies: [],
  series: null,
  pinned: null,
  bands: null,
  charts: {},
  marks: {},
  mcRuns: null,
  metrics: null,
  pinnedMetrics: null,
  issues: [],
  shown: "none",
};

/** What the charts show: the settings, the last valid ones, the scenario's own values, nothing. */
type Shown = "current" | "last" | "scenario" | "none";

interface Shipped {
  name: string;
  title: string;
  description: string;
  days: number | null;
}
interface Base {
  ref: SourceRef;
  label: string;
  raw: unknown;
  problems: string[];
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  const body = (await r.json().catch(() => ({}))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `${url}: HTTP ${r.status}`);
  return body;
}

/**
 * A pasted scenario's `extends`, followed by the server (POST /api/resolve: a shipped scenario
 * named relative to the served scenarios folder, nothing else); when refused, its own fields
 * with the server's reason shown.
 */
async function resolveExtends(ref: SourceRef & { kind: "yaml" }, raw: object): Promise<Base> {
  const label = "pasted YAML";
  const r = await fetch("api/resolve", {
    method: "POST",
    headers: { "content-type": "application/yaml" },
    body: ref.yaml,
  });
  const body = (await r.json().catch(() => ({}))) as {
    raw?: unknown;
    problems?: string[];
    error?: string;
  };
  if (r.ok) return { ref, label, raw: body.raw, problems: body.problems ?? [] };
  const { extends: _, ...own } = raw as Record<string, unknown>;
  return { ref, label, raw: own, problems: [body.error ?? `extends: HTTP ${r.status}`] };
}

async function loadSource(ref: SourceRef): Promise<Base> {
  if (ref.kind === "shipped") {
    const s = await getJson<{ raw: unknown; problems: string[]; file: string }>(
      `api/scenarios/${encodeURIComponent(ref.name)}`,
    );
    return { ref, label: `${ref.name} (shipped)`, raw: s.raw, problems: s.problems };
  }
  if (ref.kind === "file") {
    const s = await getJson<{ raw: unknown; problems: string[]; file: string }>("api/file");
    return { ref, label: s.file, raw: s.raw, problems: s.problems };
  }
  if (ref.kind === "experiment") {
    const e = await getJson<{ spec: { scenario: unknown; scenarioName: string; kind: string } }>(
      `api/experiments/${encodeURIComponent(ref.id)}`,
    );
    return {
      ref,
      label: `experiment ${ref.id} (${e.spec.kind} of ${e.spec.scenarioName}), point ${ref.point}`,
      raw: e.spec.scenario,
      problems: [],
    };
  }
  try {
    const raw = parseYaml(ref.yaml) as unknown;
    if (raw && typeof raw === "object" && "extends" in raw) return await resolveExtends(ref, raw);
    return { ref, label: "pasted YAML", raw, problems: [] };
  } catch (e) {
    return {
      ref,
      label: "pasted YAML",
      raw: {},
      problems: [`not valid YAML: ${(e as Error).message}`],
    };
  }
}

function sameData(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** Largest runs × days of a browser Monte Carlo. */
const MAX_MC_CELLS = 2_000_000;

const toPlain = (s: Record<string, Float64Array>) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.from(v)]));

function App() {
  const initial = useMemo(() => decodeState(location.search), []);
  const [shipped, setShipped] = useState<Shipped[]>([]);
  const [cliFile, setCliFile] = useState<string | null>(null);
  const [base, setBase] = useState<Base | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [changes, setChanges] = useState<Changes>(initial.changes);
  const [noise, setNoise] = useState(initial.noise);
  const [seed, setSeed] = useState(initial.seed);
  const [mcRuns, setMcRuns] = useState<number | null>(initial.mcRuns);
  const [runsInput, setRunsInput] = useState(String(initial.mcRuns ?? DEFAULT_RUNS));
  const [pinned, setPinned] = useState<Changes | null>(initial.pinned);
  const [mcProgress, setMcProgress] = useState<{ done: number; runs: number } | null>(null);
  const [mcResult, setMcResult] = useState<McDone | null>(null);
  const [mcError, setMcError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"paste" | "experiments" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [latency, setLatency] = useState<number | null>(null);
  const mcHandle = useRef<McHandle | null>(null);
  const chartEls = useRef<Record<string, HTMLDivElement | null>>({});
  const lastChartData = useRef<ChartData | null>(null);
  const fileStem = () => (base?.ref.kind === "shipped" ? base.ref.name : "scenario");
  const downloadChartPng = (id: string) => {
    const chart = charts.current[id];
    if (!chart) return;
    const a = document.createElement("a");
    a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    a.download = `${fileStem()}-${id}.png`;
    document.body.append(a);
    a.click();
    a.remove();
  };
  const downloadChartCsv = (s: ChartSpecWeb) => {
    if (!lastChartData.current) return;
    download(`${fileStem()}-${s.id}.csv`, chartCsv(s, lastChartData.current), "text/csv");
  };
  const charts = useRef<Record<string, EChartsType>>({});
  const chartShapes = useRef<Record<string, string>>({});
  const chartData = useRef<Record<string, number[][]>>({});
  const fileInput = useRef<HTMLInputElement>(null);

  // first load: the list of shipped scenarios, the command line's file, then the URL's source
  useEffect(() => {
    (async () => {
      try {
        const [list, info] = await Promise.all([
          getJson<Shipped[]>("api/scenarios"),
          getJson<{ scenarioFile: string | null }>("api/info"),
        ]);
        setShipped(list);
        setCliFile(info.scenarioFile);
        const ref: SourceRef =
          initial.source ??
          (info.scenarioFile
            ? { kind: "file" }
            : {
                kind: "shipped",
                name: list.some((s) => s.name === "whitepaper")
                  ? "whitepaper"
                  : (list[0]?.name ?? "whitepaper"),
              });
        setBase(await loadSource(ref));
      } catch (e) {
        setLoadError((e as Error).message);
      }
    })();
  }, [initial]);

  const prepared = useMemo(
    () => (base ? prepare(base.raw, changes, noise) : null),
    [base, changes, noise],
  );
  // invalid settings: the charts keep the last valid run of this scenario, or — none yet (a
  // shared link with a bad value) — the scenario's own values; `shown` says which
  const lastGood = useRef<{ base: Base; run: SingleRun } | null>(null);
  const view = useMemo((): { run: SingleRun | null; shown: Shown } => {
    if (!base || !prepared) return { run: null, shown: "none" };
    if (!prepared.ok) {
      if (lastGood.current?.base === base) return { run: lastGood.current.run, shown: "last" };
      const own = prepare(base.raw, {}, noise);
      return own.ok
        ? { run: runOnce(own.scenario, seed), shown: "scenario" }
        : { run: null, shown: "none" };
    }
    const t0 = performance.now();
    const r = runOnce(prepared.scenario, seed);
    window.__bme.simulateMs = performance.now() - t0;
    lastGood.current = { base, run: r };
    return { run: r, shown: "current" };
  }, [base, prepared, seed, noise]);
  const run = view.run;
  const baseValues = useMemo(() => {
    if (!base) return null;
    const p = prepare(base.raw, {}, false);
    return p.ok ? runOnce(p.scenario, 0).compiled.onchain0 : null;
  }, [base]);
  const pinnedRun = useMemo(() => {
    if (!base || !pinned) return null;
    const p = prepare(base.raw, pinned, noise);
    return p.ok ? runOnce(p.scenario, seed) : null;
  }, [base, pinned, noise, seed]);
  const issues = prepared && !prepared.ok ? prepared.issues : [];

  // the URL follows the view
  useEffect(() => {
    if (!base) return;
    const q = encodeState({ source: base.ref, changes, noise, seed, mcRuns, pinned });
    history.replaceState(null, "", `${location.pathname}?${q}`);
  }, [base, changes, noise, seed, mcRuns, pinned]);

  // Monte Carlo: rerun (debounced) whenever the scenario or the runs change; cancel the previous
  useEffect(() => {
    mcHandle.current?.cancel();
    mcHandle.current = null;
    setMcProgress(null);
    setMcError(null);
    if (mcRuns === null || !base) {
      setMcResult(null);
      return;
    }
    const p = prepare(base.raw, changes, true);
    if (!p.ok) return;
    // memory: every drawn series keeps runs × days cells until the bands are computed
    const runs = Math.max(2, Math.min(mcRuns, Math.floor(MAX_MC_CELLS / p.scenario.days)));
    if (runs < mcRuns) setNotice(`Monte Carlo capped at ${runs} runs for ${p.scenario.days} days.`);
    const timer = setTimeout(() => {
      setMcProgress({ done: 0, runs });
      mcHandle.current = startMonteCarlo(p.scenario, runs, seed, {
        progress: (done, runs) => setMcProgress({ done, runs }),
        done: (r) => {
          mcHandle.current = null;
          setMcProgress(null);
          setMcResult(r);
        },
        error: (m) => {
          mcHandle.current = null;
          setMcProgress(null);
          setMcError(m);
        },
      });
    }, 120);
    return () => clearTimeout(timer);
  }, [base, changes, mcRuns, seed]);

  const specs = useMemo(() => chartSpecs(run?.compiled.consumerNames ?? []), [run?.compiled]);
  const showBands = mcRuns !== null && mcResult !== null;

  // draw: every chart, synchronously after the render (the latency the bench reads)
  useLayoutEffect(() => {
    if (!run) {
      // nothing valid to draw (an invalid scenario): no chart keeps another scenario's lines
      for (const c of Object.values(charts.current)) if (!c.isDisposed()) c.clear();
      chartShapes.current = {};
      chartData.current = {};
      window.__bme.series = null;
      return;
    }
    const data: ChartData = {
      days: run.compiled.days,
      current: run.series,
      bands: showBands ? mcResult.bands : null,
      pinned: pinnedRun?.series ?? null,
      phaseChangeDay: run.metrics.phaseChangeDay,
      events: prepared?.ok ? scheduleVotes(prepared.scenario) : [],
    };
    lastChartData.current = data;
    const drawStart = performance.now();
    const options: Record<string, Record<string, unknown>> = {};
    for (const spec of specs) {
      const el = chartEls.current[spec.id];
      if (!el) continue;
      let chart = charts.current[spec.id];
      if (!chart || chart.isDisposed()) {
        chart = charts.current[spec.id] = initChart(el);
        chartShapes.current[spec.id] = "";
      }
      const option = chartOption(spec, data);
      options[spec.id] = option;
      // same series as last time: hand ECharts the new data only (much faster than a rebuild)
      const series = option.series as { name: string; data: number[]; markLine?: unknown }[];
      const shape = `${data.days}|${series.map((x) => x.name).join("|")}|${data.phaseChangeDay}|${JSON.stringify(data.events)}`;
      const last = chartData.current[spec.id];
      if (chartShapes.current[spec.id] !== shape) chart.setOption(option, { notMerge: true });
      else if (!last || series.some((x, i) => !sameData(x.data, last[i])))
        chart.setOption({ series: series.map((x) => ({ data: x.data })) });
      // else: nothing this chart shows has changed (e.g. demand when a lever moves)
      chartShapes.current[spec.id] = shape;
      chartData.current[spec.id] = series.map((x) => x.data);
    }
    const probe = window.__bme;
    const drawnAt = performance.now();
    probe.drawMs = drawnAt - drawStart;
    probe.redraws++;
    probe.series = toPlain(run.series);
    probe.pinned = pinnedRun ? toPlain(pinnedRun.series) : null;
    probe.bands = showBands
      ? Object.fromEntries(Object.entries(mcResult.bands).map(([k, b]) => [k, toPlain(b)]))
      : null;
    probe.mcRuns = showBands ? mcResult.runs : null;
    // the data handed to each chart, by series name (band series start with "·")
    probe.charts = Object.fromEntries(
      Object.entries(options).map(([id, o]) => [
        id,
        Object.fromEntries(
          (o.series as { name: string; data: number[] }[]).map((x) => [x.name, x.data]),
        ),
      ]),
    );
    probe.marks = Object.fromEntries(
      Object.entries(options).map(([id, o]) => [
        id,
        (o.series as { markLine?: { data: { xAxis: number; label: { formatter: string } }[] } }[])
          .flatMap((x) => x.markLine?.data ?? [])
          .map((m) => ({ day: m.xAxis, label: m.label.formatter })),
      ]),
    );
    probe.metrics = run.metrics;
    probe.pinnedMetrics = pinnedRun?.metrics ?? null;
    probe.ready = true;
    if (window.__bmeInputAt !== undefined) {
      const ms = drawnAt - window.__bmeInputAt;
      window.__bmeInputAt = undefined;
      probe.lastLatencyMs = ms;
      probe.latencies.push(ms);
      setLatency(ms);
    }
  }, [run, pinnedRun, specs, showBands, mcResult]);

  useEffect(() => {
    window.__bme.issues = issues.map((i) => ({ path: i.path, message: i.message }));
    window.__bme.shown = view.shown;
  }, [issues, view.shown]);

  useEffect(() => {
    const onResize = () => {
      for (const c of Object.values(charts.current)) c.resize();
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);

  const setChange = (path: string, value: string | null) => {
    window.__bmeInputAt = performance.now();
    setChanges((prev) => {
      const next = { ...prev };
      if (value === null) delete next[path];
      else next[path] = value;
      return next;
    });
  };

  const selectSource = async (ref: SourceRef) => {
    setLoadError(null);
    try {
      const b = await loadSource(ref);
      setBase(b);
      setChanges({});
      setPinned(null);
    } catch (e) {
      setLoadError((e as Error).message);
    }
  };

  const openPoint = async (p: OpenPoint) => {
    setDialog(null);
    await selectSource({ kind: "experiment", id: p.id, point: p.point });
    setChanges(p.changes);
    setSeed(p.seed);
    setMcRuns(p.runs);
    setRunsInput(String(p.runs));
  };

  const flash = (text: string) => {
    setNotice(text);
    setTimeout(() => setNotice(null), 2500);
  };

  const exportYaml = () => {
    if (!base) return;
    const list = changeList(changes);
    const raw = list.length > 0 ? applyOverrides(base.raw, list) : base.raw;
    const name = (raw as { name?: string })?.name ?? "scenario";
    download(`${name}.yaml`, scenarioYaml(raw, list, base.label), "application/yaml");
  };
  const exportCsv = () => {
    if (!run) return;
    download(
      `${run.compiled.name}-seed${seed}.csv`,
      runCsv(run.table.columns, run.table.values),
      "text/csv",
    );
  };
  const exportBands = () => {
    if (!mcResult || !run) return;
    download(
      `${run.compiled.name}-bands-${mcResult.runs}runs.csv`,
      bandsCsv(mcResult.bands, mcResult.days),
      "text/csv",
    );
  };
  const share = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      flash("Link copied: it reproduces this view.");
    } catch {
      flash("Copy the address bar: it reproduces this view.");
    }
  };

  const onFile = async (e: Event) => {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!f) return;
    const text = await f.text();
    await selectSource({ kind: "yaml", yaml: text });
    (e.currentTarget as HTMLInputElement | null)?.value &&
      ((e.currentTarget as HTMLInputElement).value = "");
  };

  const sourceValue =
    base?.ref.kind === "shipped"
      ? `s:${base.ref.name}`
      : base?.ref.kind === "file"
        ? "file"
        : "other";

  const applyRuns = () => {
    const n = wholeNumberText(runsInput);
    if (n !== undefined && n >= 2 && n <= 5000) setMcRuns(n);
    else flash("Runs: a whole number from 2 to 5000.");
  };

  return (
    <div class="app">
      <header class="top">
        <div class="brand">
          <h1>BME dashboard</h1>
          <span class="sub">burn-and-mint equilibrium · ChainOpera whitepaper model</span>
        </div>
        <div class="toolbar">
          <label class="field">
            <span>Scenario</span>
            <select
              data-testid="scenario-select"
              value={sourceValue}
              onChange={(e) => {
                const v = e.currentTarget.value;
                if (v === "file") selectSource({ kind: "file" });
                else if (v.startsWith("s:")) selectSource({ kind: "shipped", name: v.slice(2) });
                else if (v === "paste") setDialog("paste");
                else if (v === "open") fileInput.current?.click();
              }}
            >
              {shipped.map((s) => (
                <option key={s.name} value={`s:${s.name}`} title={s.description}>
                  {s.name}
                </option>
              ))}
              {cliFile && <option value="file">{cliFile.split("/").pop()} (command line)</option>}
              {sourceValue === "other" && <option value="other">{base?.label}</option>}
              <option value="paste">Paste YAML…</option>
              <option value="open">Open a file…</option>
            </select>
          </label>
          <input ref={fileInput} type="file" accept=".yaml,.yml,.json" hidden onChange={onFile} />
          <label
            class="field"
            title="Seed of the random streams: the same seed gives the same run."
          >
            <span>Seed</span>
            <input
              type="number"
              min={0}
              step={1}
              value={seed}
              class="narrow"
              onChange={(e) => {
                const n = Number(e.currentTarget.value);
                if (Number.isSafeInteger(n) && n >= 0) setSeed(n);
              }}
            />
          </label>
          <label
            class="check"
            title="Off: the expected path, as bme run --deterministic (series noise and the stochastic processes' randomness off)."
          >
            <input
              type="checkbox"
              checked={noise}
              onChange={(e) => setNoise(e.currentTarget.checked)}
            />
            noise
          </label>
          <span class="sep" />
          <label
            class="check"
            title="Run the scenario many times with noise and draw p5–p95, p25–p75 and median bands."
          >
            <input
              type="checkbox"
              data-testid="mc-toggle"
              checked={mcRuns !== null}
              onChange={(e) => (e.currentTarget.checked ? applyRuns() : setMcRuns(null))}
            />
            Monte Carlo
          </label>
          <label class="field">
            <span>runs</span>
            <input
              type="number"
              data-testid="mc-runs"
              class="narrow"
              min={2}
              max={5000}
              value={runsInput}
              onInput={(e) => setRunsInput(e.currentTarget.value)}
              onChange={() => mcRuns !== null && applyRuns()}
            />
          </label>
          {mcProgress && (
            <span class="progress" data-testid="mc-progress">
              <progress max={mcProgress.runs} value={mcProgress.done} />
              {mcProgress.done}/{mcProgress.runs}
              <button
                type="button"
                data-testid="mc-cancel"
                onClick={() => {
                  mcHandle.current?.cancel();
                  mcHandle.current = null;
                  setMcProgress(null);
                  setMcRuns(null);
                  flash("Monte Carlo cancelled.");
                }}
              >
                Cancel
              </button>
            </span>
          )}
          <span class="sep" />
          {pinned === null ? (
            <button
              type="button"
              data-testid="pin"
              title="Keep the current settings as arm A; change levers to make arm B."
              onClick={() => setPinned({ ...changes })}
            >
              Pin as A
            </button>
          ) : (
            <button type="button" data-testid="unpin" onClick={() => setPinned(null)}>
              Unpin A
            </button>
          )}
          <button type="button" data-testid="share" onClick={share}>
            Share link
          </button>
          <button type="button" onClick={exportYaml} data-testid="export-yaml">
            YAML
          </button>
          <button type="button" onClick={exportCsv} data-testid="export-csv">
            CSV
          </button>
          {showBands && (
            <button type="button" onClick={exportBands}>
              Bands CSV
            </button>
          )}
          <button type="button" onClick={() => setDialog("experiments")}>
            Experiments
          </button>
        </div>
      </header>
      <div class="body">
        <aside class="side">
          <div class="source" title={base?.label}>
            {base ? base.label : loadError ? "" : "loading…"}
          </div>
          {loadError && <div class="error">{loadError}</div>}
          {base?.problems.map((p) => (
            <div class="error" key={p}>
              {p}
            </div>
          ))}
          <OnchainPanel
            changes={changes}
            baseValues={baseValues}
            issues={issues}
            onChange={setChange}
          />
          <MarketForms base={base?.raw} changes={changes} issues={issues} onChange={setChange} />
          <OtherChanges changes={changes} issues={issues} onChange={setChange} />
        </aside>
        <main class="main">
          <div class="status">
            {run?.error && <span class="error">run stopped early: {run.error}</span>}
            {issues.length > 0 && (
              <span class="error" data-testid="invalid-banner">
                {issues.length} problem{issues.length === 1 ? "" : "s"} —{" "}
                {view.shown === "last"
                  ? "the charts show the last valid settings"
                  : view.shown === "scenario"
                    ? "the charts show the scenario's own values, without these changes"
                    : "the scenario itself is invalid: nothing to draw"}
                {view.shown !== "last" &&
                  `: ${issues
                    .slice(0, 5)
                    .map((i) => `${i.path || "scenario"}: ${i.message}`)
                    .join("; ")}${issues.length > 5 ? "; …" : ""}`}
              </span>
            )}
            {prepared?.ok &&
              prepared.warnings.map((w) => (
                <span class="warn" key={w}>
                  {w}
                </span>
              ))}
            {mcError && <span class="error">Monte Carlo failed: {mcError}</span>}
            {showBands && (
              <span class="info" data-testid="mc-info">
                Monte Carlo: {mcResult.runs} runs (seeds {seed}, run 0…{mcResult.runs - 1}) in{" "}
                {mcResult.ms.toFixed(0)} ms · bands p5–p95, p25–p75, median
                {mcResult.failed.length > 0 && ` · ${mcResult.failed.length} runs failed`}
              </span>
            )}
            {notice && <span class="info">{notice}</span>}
            <span class="latency" data-testid="latency">
              {latency !== null && `redraw ${latency.toFixed(1)} ms`}
            </span>
          </div>
          {(pinned !== null || showBands) && run && (
            <MetricsTable
              current={run.metrics}
              pinned={pinnedRun?.metrics ?? null}
              pinnedChanges={pinned}
              currentChanges={changes}
              mc={showBands ? mcResult.metrics : null}
              mcRuns={showBands ? mcResult.runs : 0}
            />
          )}
          <div class="grid">
            {specs.map((s) => (
              <div key={s.id} class={`chart-cell ${s.id === "price" ? "wide" : ""}`}>
                <div
                  class="chart"
                  data-testid={`chart-${s.id}`}
                  ref={(el) => {
                    chartEls.current[s.id] = el;
                  }}
                />
                <div class="chart-actions">
                  <button
                    type="button"
                    title={`${s.title}: the chart as a PNG image`}
                    data-testid={`png-${s.id}`}
                    onClick={() => downloadChartPng(s.id)}
                  >
                    PNG
                  </button>
                  <button
                    type="button"
                    title={`${s.title}: the chart's data as CSV`}
                    data-testid={`csv-${s.id}`}
                    onClick={() => downloadChartCsv(s)}
                  >
                    CSV
                  </button>
                </div>
              </div>
            ))}
          </div>
        </main>
      </div>
      {dialog === "paste" && (
        <PasteDialog
          onClose={() => setDialog(null)}
          onLoad={(yaml) => {
            setDialog(null);
            selectSource({ kind: "yaml", yaml });
          }}
        />
      )}
      {dialog === "experiments" && (
        <Experiments onClose={() => setDialog(null)} onOpen={openPoint} />
      )}
    </div>
  );
}

render(<App />, document.getElementById("app")!);
