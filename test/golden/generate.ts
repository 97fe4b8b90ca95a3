// Regenerate the golden outputs: `npx tsx test/golden/generate.ts`. Only ever from a main that
// is known to be right (issue 15: tables generated before the change, committed as fixtures).
import { writeFileSync } from "node:fs";
import { fingerprint, GOLDEN_FILE, runShipped, shippedScenarios } from "./outputs.js";

const all = Object.fromEntries(shippedScenarios().map((f) => [f, fingerprint(runShipped(f))]));
writeFileSync(GOLDEN_FILE, `${JSON.stringify(all, null, 2)}\n`);
console.log(`wrote ${Object.keys(all).length} fingerprints to ${GOLDEN_FILE}`);
