export { type PiParams, piStep } from "./pi.js";
export { type GovernanceChange, governanceStep, scheduleChanges } from "./step.js";
export { ruleMeasure, type ThresholdDecision, thresholdDecision } from "./threshold.js";
