// Prints the suite's totals as one plain line ("tests: N passed, N failed, N skipped") from
// Vitest's and Playwright's JSON reports, so any CI reads the count the same way.
import { existsSync, readFileSync } from "node:fs";

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);
let passed = 0;
let failed = 0;
let skipped = 0;
const unit = read("out/test-results.json");
if (unit) {
  passed += unit.numPassedTests;
  // a file that failed without a failed test (it did not load) counts once; otherwise the tests
  failed += unit.numFailedTests || (unit.success ? 0 : unit.numFailedTestSuites);
  skipped += unit.numPendingTests + unit.numTodoTests;
}
const e2e = read("out/e2e-results.json");
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
// a suite that wrote no report did not run to its end: that is a failure too
if (!unit) console.log("tests: Vitest wrote no report (out/test-results.json)");
if (!e2e) console.log("tests: Playwright wrote no report (out/e2e-results.json)");
process.exitCode = failed > 0 || !unit || !e2e ? 1 : 0;
