// Example plugin (issue 12): a policy and a metric for `bme run --plugin examples/price-guard.mjs`
// or `simulate(scenario, { policies, metrics })` from the library.
//
// Policy "price-guard": from phase 2 on, when yesterday's token price is more than 15% below
// its level 7 days earlier, pay suppliers only in bought-back tokens (buybackModulation 1)
// and assume the marketing budget lifts exchange demand by 20% that day; otherwise leave
// buybackModulation at 0.5.
// Metric "phaseTwoReturn": the final price over the price on the first phase-2 day, minus 1.

/** @type {import("bme-sim").Policy} */
const priceGuard = {
  name: "price-guard",
  decide(view) {
    const y = view.yesterday;
    if (y?.phase !== 2 || view.day < 8) return undefined;
    const price = view.history("priceOfToken");
    const fall = price[view.day - 1] / price[view.day - 8] - 1;
    if (fall < -0.15) return { set: { buybackModulation: 1 }, scale: { consumerSentiment: 1.2 } };
    return { set: { buybackModulation: 0.5 } };
  },
};

/** @type {import("bme-sim").Metric} */
const phaseTwoReturn = {
  name: "phaseTwoReturn",
  unit: "fraction",
  compute(result) {
    const phase = result.values[result.columns.indexOf("phase")];
    const price = result.values[result.columns.indexOf("priceOfToken")];
    const first = phase.indexOf(2);
    return first < 0 ? Number.NaN : price[result.days - 1] / price[first] - 1;
  },
};

export const policies = [priceGuard];
export const metrics = [phaseTwoReturn];
