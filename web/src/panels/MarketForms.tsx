/**
 * Forms for the market side of a scenario: every consumer type (price, units, incentive, its
 * jobs-per-day series), every supplier class (its count series, phase-one target) and the
 * sentiment and governance series. Each edit is a `path=value` change, as `bme run --set`.
 */
import type { ScenarioIssue } from "../../../src/scenario/errors.js";
import { applyOverrides } from "../../../src/scenario/overrides.js";
import { type Changes, changeList } from "../model.js";

interface Props {
  /** The scenario as loaded (before changes). */
  base: unknown;
  changes: Changes;
  issues: readonly ScenarioIssue[];
  onChange(path: string, value: string | null): void;
}

type Raw = Record<string, unknown>;
const SERIES_FIELDS = [
  ["start", "start"],
  ["slope", "slope /day"],
  ["noise", "noise (sd)"],
  ["startDay", "from day"],
] as const;

function current(base: unknown, changes: Changes): Raw | null {
  try {
    return applyOverrides(base, changeList(changes)) as Raw;
  } catch {
    return null;
  }
}

function Field(props: {
  path: string;
  label: string;
  unit: string;
  value: unknown;
  baseValue: unknown;
  changed: boolean;
  issues: readonly ScenarioIssue[];
  onChange(path: string, value: string | null): void;
}) {
  const issue = props.issues.find(
    (i) => i.path === props.path || i.path.startsWith(`${props.path}.`),
  );
  return (
    <label class={`form-field ${props.changed ? "changed" : ""}`} title={props.path}>
      <span>
        {props.label} <small>{props.unit}</small>
      </span>
      <input
        type="number"
        step="any"
        data-testid={`field-${props.path}`}
        value={props.value === undefined ? "" : String(props.value)}
        onChange={(e) => {
          const v = e.currentTarget.value.trim();
          props.onChange(props.path, v === "" || v === String(props.baseValue) ? null : v);
        }}
      />
      {issue && (
        <span class="field-error" role="alert">
          {issue.message}
        </span>
      )}
    </label>
  );
}

/** The fields of a series at `path`: one field for a constant, start/slope/noise/day for a trend. */
function SeriesFields(props: {
  path: string;
  unit: string;
  value: unknown;
  base: unknown;
  changes: Changes;
  issues: readonly ScenarioIssue[];
  onChange(path: string, value: string | null): void;
}) {
  const { path, value, base } = props;
  const common = { issues: props.issues, onChange: props.onChange };
  if (typeof value === "number" || value === undefined)
    return (
      <Field
        {...common}
        path={path}
        label="per day"
        unit={props.unit}
        value={value}
        baseValue={base}
        changed={path in props.changes}
      />
    );
  if (value && typeof value === "object" && !("values" in value) && !("csv" in value)) {
    const v = value as Raw;
    const b = (base ?? {}) as Raw;
    return (
      <>
        {SERIES_FIELDS.map(([k, label]) => (
          <Field
            {...common}
            key={k}
            path={`${path}.${k}`}
            label={label}
            unit={k === "startDay" ? "day" : props.unit}
            value={v[k]}
            baseValue={b[k]}
            changed={`${path}.${k}` in props.changes}
          />
        ))}
      </>
    );
  }
  return (
    <p class="hint">
      explicit values or a CSV column: change it as <code>{path}=…</code> below
    </p>
  );
}

export function MarketForms({ base, changes, issues, onChange }: Props) {
  const now = current(base, changes);
  if (!now || !base) return null;
  const b = base as Raw;
  const list = (raw: Raw, key: string) => (Array.isArray(raw[key]) ? (raw[key] as Raw[]) : []);
  const byName = (raw: Raw, key: string, name: unknown) =>
    list(raw, key).find((x) => x.name === name);
  const props = { changes, issues, onChange };
  return (
    <section class="panel market-forms">
      <h2>Consumers and suppliers</h2>
      {list(now, "consumers").map((c) => {
        const p = `consumers.${c.name}`;
        const bc = byName(b, "consumers", c.name) ?? {};
        return (
          <fieldset key={p} data-testid={`consumer-${c.name}`}>
            <legend>
              consumer type <b>{String(c.name)}</b> <small>row {String(c.row ?? c.name)}</small>
            </legend>
            <Field
              {...props}
              path={`${p}.unitPrice`}
              label="unit price"
              unit="usd/unit"
              value={c.unitPrice}
              baseValue={bc.unitPrice}
              changed={`${p}.unitPrice` in changes}
            />
            <Field
              {...props}
              path={`${p}.unitsPerJob`}
              label="units per job"
              unit="units"
              value={c.unitsPerJob}
              baseValue={bc.unitsPerJob}
              changed={`${p}.unitsPerJob` in changes}
            />
            <Field
              {...props}
              path={`${p}.incentive`}
              label="incentive"
              unit="fraction"
              value={c.incentive ?? 0}
              baseValue={bc.incentive ?? 0}
              changed={`${p}.incentive` in changes}
            />
            <SeriesFields
              {...props}
              path={`${p}.jobsPerDay`}
              unit="jobs/day"
              value={c.jobsPerDay}
              base={bc.jobsPerDay}
            />
          </fieldset>
        );
      })}
      {list(now, "suppliers").map((s) => {
        const p = `suppliers.${s.name}`;
        const bs = byName(b, "suppliers", s.name) ?? {};
        return (
          <fieldset key={p} data-testid={`supplier-${s.name}`}>
            <legend>
              supplier class <b>{String(s.name)}</b>
            </legend>
            <SeriesFields
              {...props}
              path={`${p}.count`}
              unit="suppliers"
              value={s.count}
              base={bs.count}
            />
            <Field
              {...props}
              path={`${p}.phaseOneTarget`}
              label="phase-one target"
              unit="suppliers"
              value={s.phaseOneTarget ?? 0}
              baseValue={bs.phaseOneTarget ?? 0}
              changed={`${p}.phaseOneTarget` in changes}
            />
          </fieldset>
        );
      })}
      {(
        [
          ["consumerSentiment", "consumer sentiment", "usd/day"],
          ["governanceValue", "governance value", "usd/day"],
        ] as const
      ).map(([key, label, unit]) => (
        <fieldset key={key} data-testid={`series-${key}`}>
          <legend>{label}</legend>
          <SeriesFields {...props} path={key} unit={unit} value={now[key]} base={b[key]} />
        </fieldset>
      ))}
    </section>
  );
}
