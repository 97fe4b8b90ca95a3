import { type CompiledScenario, compileScenario } from "../engine/compile.js";
import { jobPrice } from "../mechanisms/jobPrice.js";
import { vestingSchedule } from "../mechanisms/vesting.js";
import { prepareScenario } from "../scenario/load.js";
import { ONCHAIN_NAMES, type OnchainValues } from "../scenario/onchain.js";
import { resolveTokens } from "../scenario/resolve.js";
import type { Scenario } from "../scenario/schema.js";
import type { Day, Tokens, Usd } from "../units.js";

/**
 * The economy a ledger runs: its scenario (consumer types with their E1 prices and price-matrix
 * rows, supplier classes with their phase-one targets, token amounts, phase-one rule, on-chain
 * variables on day 0), compiled once. The scenario's series and `days` are not used: the ledger's
 * inputs are what actually happens.
 */
export interface Economy {
  readonly scenario: Scenario;
  readonly compiled: CompiledScenario;
  readonly consumerTypes: readonly string[];
  readonly supplierClasses: readonly string[];
  readonly onchain0: OnchainValues;
  /** Day-0 total tokens (I1): supply + reserve + locked. */
  readonly totalTokens: Tokens;
}

export function economyOf(scenario: Scenario): Economy {
  const compiled = compileScenario({ ...scenario, days: 1 });
  const onchain0 = Object.fromEntries(
    ONCHAIN_NAMES.map((n, v) => [n, compiled.onchain0[v]]),
  ) as OnchainValues;
  return {
    scenario,
    compiled,
    consumerTypes: compiled.consumerNames,
    supplierClasses: compiled.supplierNames,
    onchain0,
    totalTokens: compiled.initialSupply + compiled.initialTokenReserve + compiled.initialLocked,
  };
}

/** Parse a stored or posted scenario object (every issue named by its path). */
export function parseEconomy(raw: unknown): Economy {
  return economyOf(prepareScenario(raw).scenario);
}

export function consumerIndex(e: Economy, type: string): number {
  return e.consumerTypes.indexOf(type);
}

/** E1 for one job of a consumer type, with the job's own units and incentive bid. */
export function priceOfJob(e: Economy, i: number, units: number, incentive: number): Usd {
  return jobPrice(e.scenario.consumers[i].unitPrice, units, incentive);
}

/** The price-matrix row of consumer type i: shares per supplier class (docs/model.md §1). */
export function rowOf(e: Economy, i: number): Float64Array {
  const nK = e.supplierClasses.length;
  return e.compiled.priceMatrix.subarray(i * nK, (i + 1) * nK);
}

/** E17b: tokens vesting at the end of day t. */
export function vestedOn(e: Economy, t: Day): Tokens {
  const tokens = resolveTokens(e.scenario.tokens);
  if (tokens.vesting.length === 0) return 0;
  return vestingSchedule(tokens.vesting, t + 1, tokens.lockedAllocations)[t];
}
