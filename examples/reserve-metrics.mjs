// Example plugin (issue 12): metrics only, as a default export.
//   bme run scenarios/whitepaper.yaml --plugin examples/reserve-metrics.mjs
//
// "reserveFloorDays": days the token reserve ended below 10% of its day-0 level plus the
// tokens phase 1 does not emit — i.e. below the automatic top-up limit (E16's default).
// "dollarPerToken": final dollar reserve per circulating token (usd/token): the cash backing.
export default {
  metrics: [
    {
      name: "reserveFloorDays",
      unit: "days",
      compute(result) {
        const reserve = result.values[result.columns.indexOf("tokenReserve")];
        const limit = 0.1 * result.meta.scenario.tokens.initialTokenReserve;
        return reserve.filter((r) => r < limit).length;
      },
    },
    {
      name: "dollarPerToken",
      unit: "usd/token",
      compute(result) {
        const col = (n) => result.values[result.columns.indexOf(n)][result.days - 1];
        return col("dollarReserve") / col("supply");
      },
    },
  ],
};
