/**
 * An out-parameter: a law's result record with its fields writable, reused by a hot loop from
 * day to day (the fused kernels) so that a law returning several values allocates nothing.
 * The readable form of each such law (`splitIncome`, `payTokens`, …) fills a fresh one.
 */
export type Out<T> = { -readonly [K in keyof T]: T[K] };
