import { useState } from "preact/hooks";
import type { ScenarioIssue } from "../../../src/scenario/errors.js";
import type { Changes } from "../model.js";

interface Props {
  changes: Changes;
  issues: readonly ScenarioIssue[];
  onChange(path: string, value: string | null): void;
}

/** Any other scenario field as a `path=value` change (as `bme run --set` takes it). */
export function OtherChanges({ changes, issues, onChange }: Props) {
  const [entry, setEntry] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const others = Object.entries(changes).filter(([k]) => !k.startsWith("onchain."));
  const otherIssues = issues.filter((i) => !i.path.startsWith("onchain."));
  const add = () => {
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      setProblem("write path=value, e.g. consumers.tpuTraining.jobsPerDay.slope=-4");
      return;
    }
    setProblem(null);
    onChange(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
    setEntry("");
  };
  return (
    <section class="panel">
      <h2>Other changes</h2>
      <p class="hint">
        Any field as <code>path=value</code>, e.g. <code>days=365</code> or{" "}
        <code>consumers.gpuTraining.jobsPerDay.slope=8</code>.
      </p>
      {others.map(([k, v]) => (
        <div class="other" key={k}>
          <code>
            {k}={v}
          </code>
          <button type="button" class="reset" title="Remove" onClick={() => onChange(k, null)}>
            ×
          </button>
        </div>
      ))}
      <form
        class="other-add"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <input
          type="text"
          data-testid="other-input"
          placeholder="path=value"
          value={entry}
          onInput={(e) => setEntry(e.currentTarget.value)}
        />
        <button type="submit">Set</button>
      </form>
      {problem && <div class="field-error">{problem}</div>}
      {otherIssues.map((i) => (
        <div class="field-error" role="alert" key={`${i.path}:${i.message}`}>
          <code>{i.path || "(scenario)"}</code>: {i.message}
        </div>
      ))}
    </section>
  );
}
