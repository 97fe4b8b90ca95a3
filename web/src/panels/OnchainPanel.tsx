import type { ScenarioIssue } from "../../../src/scenario/errors.js";
import { ONCHAIN_VARIABLES, type OnchainVariableInfo } from "../../../src/scenario/onchain.js";
import type { Changes } from "../model.js";

interface Props {
  changes: Changes;
  /** On-chain values of the unchanged scenario, in ONCHAIN_NAMES order (null while loading). */
  baseValues: Float64Array | null;
  issues: readonly ScenarioIssue[];
  onChange(path: string, value: string | null): void;
}

/** Slider range of a variable: its bounds, or up to 4× its scenario value when unbounded above. */
function range(v: OnchainVariableInfo, base: number): { min: number; max: number; step: number } {
  const max = v.max ?? (base > 0 ? base * 4 : v.integer ? 100 : 1);
  const min = v.exclusiveMin ? (v.integer ? v.min + 1 : Math.min(base, max) / 100) : v.min;
  const step = v.integer ? 1 : (max - min) / 200;
  return { min, max, step };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(4)));

/** Every on-chain variable of docs/model.md §4 as a slider and a field, with unit and meaning. */
export function OnchainPanel({ changes, baseValues, issues, onChange }: Props) {
  return (
    <section class="panel">
      <h2>On-chain variables</h2>
      <p class="hint">
        Governance levers (docs/model.md §4). Hover a name for the whitepaper's meaning.
      </p>
      {ONCHAIN_VARIABLES.map((v, i) => {
        const path = `onchain.${v.name}`;
        const base = baseValues ? baseValues[i] : Number.NaN;
        const text = changes[path] ?? (Number.isNaN(base) ? "" : fmt(base));
        const value = Number(text);
        const r = range(v, Number.isNaN(base) ? 1 : base);
        const own = issues.filter((x) => x.path === path);
        const changed = path in changes;
        const bounds = `${v.exclusiveMin ? ">" : "≥"} ${v.min}${v.max !== undefined ? `, ≤ ${v.max}` : ""}${v.integer ? ", whole" : ""}`;
        return (
          <div
            class={`lever ${own.length > 0 ? "invalid" : ""} ${changed ? "changed" : ""}`}
            key={v.name}
            data-testid={`lever-${v.name}`}
          >
            <div class="lever-head">
              <label for={`num-${v.name}`} title={`${v.meaning}\nValid: ${bounds}.`}>
                {v.name}
                {v.symbol && <span class="sym"> ({v.symbol})</span>}
              </label>
              <span class="unit">{v.unit}</span>
              {changed && (
                <button
                  type="button"
                  class="reset"
                  title="Back to the scenario's value"
                  onClick={() => onChange(path, null)}
                >
                  ↺
                </button>
              )}
            </div>
            <div class="lever-row">
              <input
                type="range"
                aria-label={`${v.name} slider`}
                data-testid={`slider-${v.name}`}
                min={r.min}
                max={Math.max(r.max, Number.isFinite(value) ? value : r.max)}
                step={r.step}
                value={Number.isFinite(value) ? value : r.min}
                onInput={(e) => onChange(path, e.currentTarget.value)}
              />
              <input
                type="text"
                inputMode="decimal"
                id={`num-${v.name}`}
                data-testid={`input-${v.name}`}
                class="num"
                value={text}
                onInput={(e) => onChange(path, e.currentTarget.value)}
              />
            </div>
            {own.map((x) => (
              <div class="field-error" role="alert" data-testid={`error-${v.name}`} key={x.message}>
                {x.message}
              </div>
            ))}
          </div>
        );
      })}
    </section>
  );
}
