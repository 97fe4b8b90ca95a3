import type { CompiledScenario } from "../engine/compile.js";
import {
  DEFAULT_JOB,
  DEFAULT_POPULATION,
  type MarketplaceConfig,
  MarketplaceSchema,
} from "../scenario/marketplace.js";
import { ONCHAIN_NAMES } from "../scenario/onchain.js";
import { withinLatencySla } from "./latency.js";
import type { SchedulerSetup } from "./types.js";

/** The marketplace block compiled into flat arrays (docs/model.md §9, docs/marketplace.md). */
export interface CompiledMarket {
  readonly regions: readonly string[];
  readonly resources: readonly string[];
  readonly setup: SchedulerSetup;
  /** Requirement id of (consumer i, class k), row-major nC × nK; −1 where the share is 0. */
  readonly req: Int32Array;
  /** Per consumer type: job duration and deadline, days. */
  readonly durationDays: Int32Array;
  readonly deadlineDays: Int32Array;
  /** Per consumer type: incentive bid range [low, high); low = high = the fixed incentive by default. */
  readonly incentiveLow: Float64Array;
  readonly incentiveHigh: Float64Array;
  /** Per class: resource and region picks (cumulative weights over resource/region indices). */
  readonly classResources: readonly { index: Int32Array; cumulative: Float64Array }[];
  readonly classRegions: readonly { index: Int32Array; cumulative: Float64Array }[];
  readonly capacity: Int32Array;
  readonly dishonestShare: Float64Array;
  readonly honestPass: Float64Array;
  readonly dishonestPass: Float64Array;
  /** Per day and region (t·nRegions + g): 1 when the region is out. */
  readonly outage: Uint8Array;
  readonly longestDeadline: number;
}

function picks(weights: Record<string, number>, names: readonly string[]) {
  const entries = Object.entries(weights);
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let acc = 0;
  return {
    index: Int32Array.from(entries, ([n]) => names.indexOf(n)),
    cumulative: Float64Array.from(entries, ([, w]) => (acc += w / total)),
  };
}

export function compileMarket(c: CompiledScenario): CompiledMarket {
  const s = c.scenario;
  const m: MarketplaceConfig = s.marketplace ?? MarketplaceSchema.parse({});
  const { nC, nK, days } = c;
  const regions = m.regions;
  const nR = regions.length;
  const allRegions = nR >= 31 ? -1 : (1 << nR) - 1;
  const pops = c.supplierNames.map((k) => m.suppliers[k] ?? DEFAULT_POPULATION);
  const jobs = c.consumerNames.map((i) => m.jobs[i] ?? DEFAULT_JOB);
  const resources: string[] = [];
  const addResource = (r: string) => {
    if (!resources.includes(r)) resources.push(r);
  };
  for (const p of pops) Object.keys(p.resources).forEach(addResource);
  for (const j of jobs)
    if (typeof j.resource === "string") addResource(j.resource);
    else if (j.resource) Object.values(j.resource).forEach(addResource);

  const req = new Int32Array(nC * nK).fill(-1);
  const reqClass: number[] = [];
  const reqResource: number[] = [];
  const reqRegions: number[] = [];
  jobs.forEach((job, i) => {
    let mask = allRegions;
    if (job.regions) mask = job.regions.reduce((a, r) => a | (1 << regions.indexOf(r)), 0);
    if (job.latencySlaMs !== undefined && job.origin !== undefined) {
      let sla = 0;
      regions.forEach((r, g) => {
        if (withinLatencySla(m.latencyMs, job.origin as string, r, job.latencySlaMs as number))
          sla |= 1 << g;
      });
      mask &= sla;
    }
    for (let k = 0; k < nK; k++) {
      if (!(c.priceMatrix[i * nK + k] > 0)) continue;
      const name =
        typeof job.resource === "string" ? job.resource : job.resource?.[c.supplierNames[k]];
      req[i * nK + k] = reqClass.length;
      reqClass.push(k);
      reqResource.push(name === undefined ? -1 : resources.indexOf(name));
      reqRegions.push(mask);
    }
  });

  const windows = [c.onchain0[ONCHAIN_NAMES.indexOf("reputationWindowJobs")]];
  const wVar = ONCHAIN_NAMES.indexOf("reputationWindowJobs");
  c.eventVar.forEach((v, e) => {
    if (v === wVar) windows.push(c.eventValue[e]);
  });
  const outage = new Uint8Array(days * nR);
  for (const o of m.outages) {
    const g = regions.indexOf(o.region);
    for (let t = o.fromDay; t <= Math.min(o.toDay, days - 1); t++) outage[t * nR + g] = 1;
  }
  return {
    regions,
    resources,
    setup: {
      nClasses: nK,
      nResources: Math.max(1, resources.length),
      nRegions: nR,
      reqClass: Int32Array.from(reqClass),
      reqResource: Int32Array.from(reqResource),
      reqRegions: Int32Array.from(reqRegions),
      window: windows[0],
      windowMax: Math.max(...windows),
      prior: m.reputationPrior,
    },
    req,
    durationDays: Int32Array.from(jobs, (j) => j.durationDays),
    deadlineDays: Int32Array.from(jobs, (j) => j.deadlineDays),
    incentiveLow: Float64Array.from(jobs, (j, i) => j.incentive?.low ?? s.consumers[i].incentive),
    incentiveHigh: Float64Array.from(jobs, (j, i) => j.incentive?.high ?? s.consumers[i].incentive),
    classResources: pops.map((p) => picks(p.resources, resources)),
    classRegions: pops.map((p) =>
      picks(p.regions ?? Object.fromEntries(regions.map((r) => [r, 1])), regions),
    ),
    capacity: Int32Array.from(pops, (p) => p.capacity),
    dishonestShare: Float64Array.from(pops, (p) => p.honesty.dishonestShare),
    honestPass: Float64Array.from(pops, (p) => p.honesty.honest),
    dishonestPass: Float64Array.from(pops, (p) => p.honesty.dishonest),
    outage,
    longestDeadline: Math.max(1, ...jobs.map((j) => j.deadlineDays)),
  };
}
