import type { Tokens } from "../units.js";
import { DEFAULT_ALLOCATION } from "./defaults.js";
import { numericDefaults, type OnchainInput, type OnchainValues } from "./onchain.js";
import { type PriceMatrixRow, WHITEPAPER_PRICE_MATRIX } from "./priceMatrix.js";

/** A vesting allocation, locked on day 0 (docs/model.md §5). */
export interface VestingTranche {
  readonly name: string;
  readonly amount: Tokens;
  readonly cliffDays: number;
  readonly linearDays: number;
}

export interface ResolvedTokens {
  readonly initialSupply: Tokens;
  readonly initialTokenReserve: Tokens;
  /** Locked on day 0: vesting allocations plus directly given lockedAllocations. */
  readonly lockedAllocations: Tokens;
  readonly initialDollarReserve: number;
  readonly maxTokenSupply: Tokens;
  readonly vesting: readonly VestingTranche[];
}

interface TokensLike {
  initialSupply?: number;
  initialTokenReserve?: number;
  lockedAllocations?: number;
  initialDollarReserve: number;
  maxTokenSupply: number;
  allocation?: Record<
    string,
    { fraction: number; vesting?: { cliffDays: number; linearDays: number } }
  >;
}

/** The ops fund is the token reserve [R5]. */
export const OPS_FUND = "opsFund";

/** Day-0 token amounts, from the direct fields or from the allocation table (docs/model.md §5). */
export function resolveTokens(t: TokensLike): ResolvedTokens {
  if (
    t.initialSupply !== undefined ||
    t.initialTokenReserve !== undefined ||
    t.lockedAllocations !== undefined
  ) {
    return {
      initialSupply: t.initialSupply ?? 0,
      initialTokenReserve: t.initialTokenReserve ?? 0,
      lockedAllocations: t.lockedAllocations ?? 0,
      initialDollarReserve: t.initialDollarReserve,
      maxTokenSupply: t.maxTokenSupply,
      vesting: [],
    };
  }
  const table = t.allocation ?? DEFAULT_ALLOCATION;
  let supply = 0;
  let reserve = 0;
  let locked = 0;
  const vesting: VestingTranche[] = [];
  for (const [name, a] of Object.entries(table)) {
    const amount = a.fraction * t.maxTokenSupply;
    if (name === OPS_FUND) reserve += amount;
    else if ("vesting" in a && a.vesting) {
      locked += amount;
      vesting.push({
        name,
        amount,
        cliffDays: a.vesting.cliffDays,
        linearDays: a.vesting.linearDays,
      });
    } else supply += amount;
  }
  return {
    initialSupply: supply,
    initialTokenReserve: reserve,
    lockedAllocations: locked,
    initialDollarReserve: t.initialDollarReserve,
    maxTokenSupply: t.maxTokenSupply,
    vesting,
  };
}

/** The whitepaper's matrix with the scenario's rows added or replaced by name (docs/model.md §1). */
export function resolvePriceMatrix(
  rows: Record<string, PriceMatrixRow>,
): Record<string, PriceMatrixRow> {
  return { ...WHITEPAPER_PRICE_MATRIX, ...rows };
}

/**
 * On-chain values in force on day 0: the scenario's block over the defaults of docs/model.md §4.
 * A defaults to (1 − fracPhaseOneTokens)·initialTokenReserve; P2M defaults to that block's A.
 */
export function resolveOnchain(
  block: OnchainInput,
  fracPhaseOneTokens: number,
  initialTokenReserve: Tokens,
): OnchainValues {
  const phaseTwoMintAmount =
    block.phaseTwoMintAmount ?? (1 - fracPhaseOneTokens) * initialTokenReserve;
  const out: Record<string, number> = { ...numericDefaults(), phaseTwoMintAmount };
  for (const [k, v] of Object.entries(block)) if (v !== undefined) out[k] = v;
  out.phase2Modulation = block.phase2Modulation ?? phaseTwoMintAmount;
  return out as OnchainValues;
}
