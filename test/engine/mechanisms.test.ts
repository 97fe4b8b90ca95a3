import { describe, expect, it } from "vitest";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../../src/mechanisms/balances.js";
import { supplierBondTokens, supplierBondUsd } from "../../src/mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../../src/mechanisms/burn.js";
import { income, usdDemandForService } from "../../src/mechanisms/income.js";
import { splitIncome } from "../../src/mechanisms/incomeSplit.js";
import { checkInvariants } from "../../src/mechanisms/invariants.js";
import { jobPrice } from "../../src/mechanisms/jobPrice.js";
import { jobReward } from "../../src/mechanisms/jobReward.js";
import { newSuppliers, onboardingFeeUsd } from "../../src/mechanisms/onboardingFee.js";
import { nextPhase } from "../../src/mechanisms/phaseChange.js";
import { phaseOneTokensForProject } from "../../src/mechanisms/phaseOneBudget.js";
import { phaseOneEmission, phaseOneFill } from "../../src/mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../../src/mechanisms/phaseTwoEmission.js";
import { reserveTopUp } from "../../src/mechanisms/reserveTopUp.js";
import { payTokens } from "../../src/mechanisms/supplierTokens.js";
import { tokenDemand, tokenPrice } from "../../src/mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../../src/mechanisms/validatorPay.js";
import { vestingSchedule } from "../../src/mechanisms/vesting.js";

describe("E1 job price", () => {
  it("prices the whitepaper's jobs: $54 TPU, $25.20 GPU, $60 labeling, $30 inference", () => {
    expect(jobPrice(18, 3, 0)).toBe(54);
    expect(jobPrice(3.15, 8, 0)).toBeCloseTo(25.2, 12);
    expect(jobPrice(0.06, 1000, 0)).toBeCloseTo(60, 12);
    expect(jobPrice(1.25, 24, 0)).toBe(30);
  });
  it("adds the incentive bid as a fraction of price [R2]", () => {
    expect(jobPrice(18, 3, 0.1)).toBeCloseTo(59.4, 12);
  });
});

describe("E2 phase-one budget", () => {
  it("gives phase 1 60% of a 2,000,000 reserve, leaving 40% (800,000) for phase 2", () => {
    expect(phaseOneTokensForProject(0.6, 2_000_000, 1)).toBe(1_200_000);
    expect(2_000_000 - phaseOneTokensForProject(0.6, 2_000_000, 1)).toBe(800_000);
  });
  it("divides the budget between projects", () => {
    expect(phaseOneTokensForProject(0.6, 2_000_000, 4)).toBe(300_000);
  });
});

describe("E3 phase-one emission", () => {
  it("pays the full daily budget when every target is met: 1,200,000 / 30 = 40,000", () => {
    const fill = phaseOneFill([5, 15, 5], [5, 15, 5]);
    expect(fill).toBe(1);
    expect(phaseOneEmission(1_200_000, 30, fill)).toBe(40_000);
  });
  it("pays each filled target slot an equal share, counting no more than the target [R7]", () => {
    // min(2,5) + min(20,15) + min(0,5) = 17 of 25 slots
    expect(phaseOneFill([2, 20, 0], [5, 15, 5])).toBeCloseTo(17 / 25, 15);
    expect(phaseOneEmission(1_200_000, 30, 17 / 25)).toBeCloseTo(27_200, 9);
  });
  it("has fill 0 when there are no targets", () => {
    expect(phaseOneFill([3, 4], [0, 0])).toBe(0);
  });
});

describe("E4 phase change", () => {
  const rule = { phaseOneDays: 30, endPhaseOneOnTargets: false, endPhaseOneOnDemand: false };
  it("switches on day phaseOneDays and stays in phase 2", () => {
    expect(nextPhase(1, 29, rule, [1], [1], 0)).toBe(1);
    expect(nextPhase(1, 30, rule, [1], [1], 0)).toBe(2);
    expect(nextPhase(2, 0, rule, [0], [1], 0)).toBe(2);
  });
  it("ends phase 1 early on targets or on demand only when asked", () => {
    expect(nextPhase(1, 3, { ...rule, endPhaseOneOnTargets: true }, [5, 15], [5, 15], 0)).toBe(2);
    expect(nextPhase(1, 3, { ...rule, endPhaseOneOnTargets: true }, [5, 14], [5, 15], 0)).toBe(1);
    expect(nextPhase(1, 3, rule, [5, 15], [5, 15], 100)).toBe(1);
    expect(nextPhase(1, 3, { ...rule, endPhaseOneOnDemand: true }, [0], [5], 100)).toBe(2);
    expect(nextPhase(1, 3, { ...rule, endPhaseOneOnDemand: true }, [0], [5], 0)).toBe(1);
  });
});

describe("E5, E6 income", () => {
  it("gives 47,640 usd on the whitepaper's first demand day", () => {
    // 200 labeling jobs × $60 + 400 TPU × $54 + 200 GPU × $25.20 + 300 inference × $30
    expect(income([200, 400, 200, 300], [60, 54, 25.2, 30])).toBeCloseTo(47_640, 9);
  });
  it("splits a pipeline's income by its price-matrix row", () => {
    // 10 training-to-serving jobs at $100: 85% training, 15% inference
    const d = usdDemandForService([10], [100], [0, 0.85, 0.15], 3);
    expect(d[0]).toBe(0);
    expect(d[1]).toBeCloseTo(850, 12);
    expect(d[2]).toBeCloseTo(150, 12);
  });
});

describe("E7 income split", () => {
  it("takes the fiat operations fraction before the buyback split [R8]", () => {
    const s = splitIncome(1000, 0.3, 0.5);
    expect(s.opsRevenue).toBeCloseTo(300, 12);
    expect(s.usdBuybackCapital).toBeCloseTo(350, 12);
    expect(s.usdCapital).toBeCloseTo(350, 12);
  });
  it("equals the whitepaper's formulas when f = 0", () => {
    const s = splitIncome(1000, 0, 0.8);
    expect(s.usdBuybackCapital).toBeCloseTo(800, 12);
    expect(s.usdCapital).toBeCloseTo(200, 12);
    expect(s.opsRevenue).toBe(0);
  });
});

describe("E8 onboarding fee", () => {
  it("averages income over the last W days including today, per supplier [R9]", () => {
    // t = 4, W = 3: days 2..4. incomes 30+40+50 = 120; supplier totals 6+6+8 = 20
    const fee = onboardingFeeUsd(4, 3, 0.1, [10, 20, 30, 40, 50], [5, 5, 6, 6, 8]);
    expect(fee).toBeCloseTo((0.1 * 120) / 20, 15);
  });
  it("uses the days available when the window reaches before day 0", () => {
    expect(onboardingFeeUsd(1, 30, 0.1, [10, 20], [5, 5])).toBeCloseTo((0.1 * 30) / 10, 15);
  });
  it("is 0 when there are no suppliers in the window", () => {
    expect(onboardingFeeUsd(0, 30, 0.1, [100], [0])).toBe(0);
  });
  it("counts net increases only: departures have no effect", () => {
    expect(newSuppliers([3, 5, 9], [2, 6, 9])).toBe(1);
  });
});

describe("E9, E22 bonds", () => {
  it("posts bondModulation of income in USD, and of a task's price in tokens", () => {
    expect(supplierBondUsd(0.1, 47_640)).toBeCloseTo(4_764, 9);
    // a $54 task at 0.02 usd/token: 0.1 × 54 / 0.02 = 270 tokens
    expect(supplierBondTokens(0.1, 54, 0.02)).toBeCloseTo(270, 9);
  });
});

describe("E10 token price", () => {
  it("divides the five demand sources by the start-of-day supply", () => {
    const demand = tokenDemand(20_000, 100, 4_764, 33_348, 50);
    expect(demand).toBeCloseTo(58_262, 9);
    const p = tokenPrice(demand, 3_200_000, 1e-9, 0)!;
    expect(p.priceOfToken).toBeCloseTo(58_262 / 3_200_000, 15);
    expect(p.priceFloored).toBe(false);
    expect(p.buybackPrice).toBe(p.priceOfToken);
  });
  it("adds the buyback premium as a fraction of price [R3]", () => {
    expect(tokenPrice(1000, 1000, 1e-9, 0.1)!.buybackPrice).toBeCloseTo(1.1, 15);
  });
  it("returns the floor, flagged, when demand/supply falls below it [R4]", () => {
    const p = tokenPrice(0, 1000, 1e-9, 0)!;
    expect(p.priceOfToken).toBe(1e-9);
    expect(p.priceFloored).toBe(true);
  });
  it("has no price for demand on a zero supply, and the floor for no demand", () => {
    expect(tokenPrice(10, 0, 1e-9, 0)).toBeNull();
    expect(tokenPrice(0, 0, 1e-9, 0)!.priceOfToken).toBe(1e-9);
  });
});

describe("E11 burn", () => {
  it("buys back usdBuybackCapital at the buyback price and onboarding fees at the price", () => {
    expect(buybackTokens(33_348, 0.02)).toBeCloseTo(1_667_400, 6);
    expect(onboardingTokens(12, 0.02)).toBeCloseTo(600, 9);
  });
});

describe("E12 job reward", () => {
  it("is job price / token price / JobRewardModulation: a $54 job at 0.02 usd/token earns 270", () => {
    expect(jobReward([1], [54], 0.02, 10)).toBeCloseTo(270, 9);
    expect(jobReward([2, 1], [54, 30], 0.02, 10)).toBeCloseTo((2 * 54 + 30) / 0.02 / 10, 9);
  });
});

describe("E13 phase-two emission [R10]", () => {
  it("emits A·(1 − e^(−R/P2M)): mint amount 10,000 after 10,000 job rewards ≈ 6,321.21", () => {
    expect(phaseTwoEmission(10_000, 0, 10_000, 10_000)).toBeCloseTo(10_000 * (1 - Math.exp(-1)), 9);
    expect(phaseTwoEmission(10_000, 0, 10_000, 10_000)).toBeCloseTo(6_321.2056, 3);
  });
  it("gives the first small job about its job reward when P2M = A (≈10% extra with JRM 10)", () => {
    const e = phaseTwoEmission(800_000, 0, 270, 800_000);
    expect(e / 270).toBeGreaterThan(0.9998);
    expect(e / 270).toBeLessThan(1);
  });
  it("accumulates to the same total however the job rewards are batched", () => {
    const one = phaseTwoEmission(10_000, 0, 3_000, 5_000);
    const a = phaseTwoEmission(10_000, 0, 1_000, 5_000);
    const b = phaseTwoEmission(10_000, a, 2_000, 5_000);
    expect(a + b).toBeCloseTo(one, 9);
    expect(one).toBeCloseTo(10_000 * (1 - Math.exp(-3_000 / 5_000)), 9);
  });
  it("never emits once A is minted", () => {
    expect(phaseTwoEmission(10_000, 10_000, 5_000, 5_000)).toBe(0);
    expect(phaseTwoEmission(10_000, 12_000, 5_000, 5_000)).toBe(0);
  });
});

describe("E14 validator pay", () => {
  it("pays validationModulator per validation: 1,100 jobs × 1 × 0.5 = 550 tokens", () => {
    expect(validatorTokens(0.5, validationsCompleted(1, 1_100))).toBe(550);
    expect(validatorTokens(0.5, validationsCompleted(3, 10))).toBe(15);
  });
});

describe("E15 token payments in claim order", () => {
  it("pays buyback tokens in full, then validators, phase 2, phase 1, and reports the cut", () => {
    // available beyond buybacks: reserve 100 + onboarding 10 = 110
    const p = payTokens(100, 50, 10, 30, 50, 40);
    expect(p.validatorTokensPaid).toBe(30);
    expect(p.phaseTwoEmission).toBe(50);
    expect(p.phaseOneEmission).toBe(30);
    expect(p.tokenShortfall).toBe(10);
    expect(p.supplierTokensPaid).toBe(50 + 30 + 50);
    expect(p.tokensPaid).toBe(160);
  });
  it("cuts validators first when the reserve is nearly empty", () => {
    const p = payTokens(5, 1000, 0, 30, 50, 0);
    expect(p.validatorTokensPaid).toBe(5);
    expect(p.phaseTwoEmission).toBe(0);
    expect(p.tokenShortfall).toBe(25 + 50);
    expect(p.supplierTokensPaid).toBe(1000);
  });
});

describe("E16 reserve top-up", () => {
  it("does nothing unless the reserve is strictly below the lower limit", () => {
    expect(reserveTopUp(200, 2000, 0.1, 0.2, 2, 1e9, 1e9).reserveBuybackTokens).toBe(0);
  });
  it("buys back up to the restore level at the buyback price", () => {
    // 0.2 × 2000 − 150 = 250 tokens at 2 usd = 500 usd
    const r = reserveTopUp(150, 2000, 0.1, 0.2, 2, 1000, 1e9);
    expect(r.reserveBuybackTokens).toBe(250);
    expect(r.reserveBuybackUsd).toBe(500);
  });
  it("buys only what the dollar reserve can pay for", () => {
    const r = reserveTopUp(150, 2000, 0.1, 0.2, 2, 300, 1e9);
    expect(r.reserveBuybackTokens).toBe(150);
    expect(r.reserveBuybackUsd).toBe(300);
  });
  it("buys no more than the circulating supply", () => {
    const r = reserveTopUp(150, 2000, 0.1, 0.2, 2, 1000, 100);
    expect(r.reserveBuybackTokens).toBe(100);
    expect(r.reserveBuybackUsd).toBe(200);
  });
});

describe("E17–E19 balances", () => {
  it("moves tokens between supply and reserve, and keeps ops revenue in the dollar reserve [R11]", () => {
    // supply 1000 + validators 10 + phase 1 20 + phase 2 30 − onboarding 5 − top-up 7 + vested 2
    expect(nextSupply(1000, 10, 20, 30, 5, 7, 2)).toBe(1050);
    // reserve 500 + onboarding 5 − 10 − 30 − 20 + top-up 7
    expect(nextTokenReserve(500, 5, 10, 30, 20, 7)).toBe(452);
    expect(nextDollarReserve(100, 300, 50)).toBe(350);
  });
});

describe("E17b vesting", () => {
  it("vests nothing before the cliff, then amount/N a day, the last tranche being the rest", () => {
    const v = vestingSchedule([{ amount: 1000, cliffDays: 2, linearDays: 3 }], 7, 1000);
    expect(Array.from(v.subarray(0, 2))).toEqual([0, 0]);
    expect(v[2]).toBeCloseTo(1000 / 3, 12);
    expect(v[3]).toBeCloseTo(1000 / 3, 12);
    expect(v[4]).toBeCloseTo(1000 / 3, 12);
    expect(v[5]).toBe(0);
    let locked = 1000;
    for (const x of v) locked = locked - x;
    expect(locked).toBe(0);
  });
  it("never vests directly given locked allocations", () => {
    const v = vestingSchedule([{ amount: 100, cliffDays: 0, linearDays: 1 }], 3, 150);
    expect(v[0]).toBe(100);
    expect(v[1] + v[2]).toBe(0);
  });
});

describe("I1–I3 invariant check", () => {
  it("accepts a conserved day and names the invariant of a broken one", () => {
    expect(checkInvariants(3, 100, 60, 40, 0, 10, 40, 100, 0, 70, 0)).toBeNull();
    const i1 = checkInvariants(3, 100, 60, 41, 0, 10, 40, 100, 0, 70, 0);
    expect(i1?.invariant).toBe("I1");
    expect(i1?.message).toContain("day 3");
    expect(checkInvariants(3, 100, 60, 40, 0, 10, 41, 100, 0, 70, 0)?.invariant).toBe("I2");
    expect(checkInvariants(3, 100, 110, -10, 0, 10, 40, 100, 0, 70, 0)?.invariant).toBe("I3");
  });
});
