import { useState } from "preact/hooks";

/** Paste a scenario's YAML (or JSON) to explore it. */
export function PasteDialog({ onClose, onLoad }: { onClose(): void; onLoad(yaml: string): void }) {
  const [text, setText] = useState("");
  return (
    <div class="modal" role="dialog" aria-label="Paste a scenario">
      <div class="modal-box">
        <h2>Paste a scenario (YAML or JSON)</h2>
        <textarea
          data-testid="paste-text"
          rows={20}
          value={text}
          placeholder={"name: my-economy\ndays: 365\n…"}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <div class="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" data-testid="paste-load" onClick={() => onLoad(text)}>
            Load
          </button>
        </div>
      </div>
    </div>
  );
}
