import { useEffect, useState } from "preact/hooks";
import { compact } from "../charts.js";
import type { Changes } from "../model.js";
import { ExperimentCharts } from "./ExperimentCharts.js";

export interface OpenPoint {
  id: string;
  point: number;
  changes: Changes;
  seed: number;
  runs: number;
}

interface Overview {
  id: string;
  finished: boolean;
  spec: {
    kind: string;
    scenarioName: string;
    seed: number;
    runsPerPoint: number;
    scenario: unknown;
  };
  points: {
    index: number;
    params: Record<string, unknown>;
    summary: Record<string, { mean: number }>;
    runs: number;
  }[];
}

/** One line of `GET api/experiments`: the store's ExperimentSummary (src/results/store.ts). */
interface Listed {
  id: string;
  kind: string;
  scenarioName: string;
  createdAt: string;
  runsPerPoint: number;
  pointsTotal: number;
  pointsStored: number;
  finished: boolean;
}

const idOf = (e: Listed) => e.id;

/** "3/4": points stored of the experiment's points. */
export function pointCount(e: Pick<Listed, "pointsStored" | "pointsTotal">): string {
  return e.pointsStored === e.pointsTotal
    ? String(e.pointsTotal)
    : `${e.pointsStored}/${e.pointsTotal}`;
}

/** Experiments of the results store: open one point as a scenario with its Monte Carlo. */
export function Experiments({ onClose, onOpen }: { onClose(): void; onOpen(p: OpenPoint): void }) {
  const [list, setList] = useState<Listed[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Overview | null>(null);

  useEffect(() => {
    fetch("api/experiments")
      .then(async (r) => {
        const body = await r.json();
        if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
        setList(Array.isArray(body) ? body : []);
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  const show = async (id: string) => {
    const r = await fetch(`api/experiments/${encodeURIComponent(id)}`);
    const body = await r.json();
    if (!r.ok) setError(body.error ?? `HTTP ${r.status}`);
    else setOpen(body as Overview);
  };

  return (
    <div class="modal" role="dialog" aria-label="Stored experiments">
      <div class="modal-box">
        <h2>Stored experiments</h2>
        {error && <div class="error">{error}</div>}
        {!error && list === null && <p>loading…</p>}
        {list && list.length === 0 && <p>The store holds no experiments yet.</p>}
        {list && list.length > 0 && !open && (
          <table>
            <thead>
              <tr>
                <th>id</th>
                <th>kind</th>
                <th>scenario</th>
                <th>created (UTC)</th>
                <th>points</th>
                <th>runs/point</th>
                <th>finished</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={idOf(e)} class="clickable" onClick={() => show(idOf(e))}>
                  <td>
                    <code>{idOf(e)}</code>
                  </td>
                  <td>{e.kind}</td>
                  <td>{e.scenarioName}</td>
                  <td>{e.createdAt.slice(0, 19).replace("T", " ")}</td>
                  <td class="num">{pointCount(e)}</td>
                  <td class="num">{e.runsPerPoint}</td>
                  <td>{e.finished ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {open && (
          <>
            <p>
              <b>{open.spec.kind}</b> of <b>{open.spec.scenarioName}</b>, seed {open.spec.seed},{" "}
              {open.spec.runsPerPoint} runs per point{open.finished ? "" : " (unfinished)"}
            </p>
            <ExperimentCharts
              experiment={{
                kind: open.spec.kind,
                scenario: open.spec.scenario,
                points: open.points,
              }}
            />
            <table>
              <thead>
                <tr>
                  <th>point</th>
                  <th>parameters</th>
                  <th>final price (mean)</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {open.points.map((p) => (
                  <tr key={p.index}>
                    <td>{p.index}</td>
                    <td>
                      <code>
                        {Object.entries(p.params)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(", ") || "(base)"}
                      </code>
                    </td>
                    <td>{compact(p.summary?.finalPrice?.mean ?? Number.NaN)}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          onOpen({
                            id: open.id,
                            point: p.index,
                            changes: Object.fromEntries(
                              Object.entries(p.params).map(([k, v]) => [k, String(v)]),
                            ),
                            seed: open.spec.seed,
                            runs: Math.max(2, open.spec.runsPerPoint),
                          })
                        }
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <div class="modal-actions">
          {open && (
            <button type="button" onClick={() => setOpen(null)}>
              Back
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
