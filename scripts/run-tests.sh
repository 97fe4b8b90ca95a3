#!/usr/bin/env bash
# The suites of `npm test` after the build and the checks: Vitest, then Playwright even when
# Vitest failed (a failure in one never hides the other's), then one summary line
# ("tests: N passed, N failed, N skipped"); the exit code is non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
rm -f out/test-results.json out/e2e-results.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile=out/test-results.json || status=1
npx playwright test --config test/e2e/playwright.config.ts || status=1
node scripts/test-summary.mjs || status=1
exit $status
