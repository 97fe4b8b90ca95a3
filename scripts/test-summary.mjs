// Prints the suite's totals as one plain line ("tests: N passed, N failed, N skipped")
// from Vitest's JSON report, so any CI reads the count the same way.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "out/test-results.json";
const r = JSON.parse(readFileSync(file, "utf8"));
console.log(
  `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
);
process.exitCode = r.numFailedTests > 0 || !r.success ? 1 : 0;
