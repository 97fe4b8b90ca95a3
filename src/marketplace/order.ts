/**
 * The two orders of docs/model.md §9, as comparisons on plain numbers (so the fast scheduler can call
 * them on typed-array fields and the reference scheduler on objects).
 */

/**
 * E20/E21 supplier order: true when supplier a is preferred to b: higher reputation (E20), then
 * more tasks completed in total (E21), then the lower supplier id.
 */
export function supplierBefore(
  repA: number,
  completedA: number,
  idA: number,
  repB: number,
  completedB: number,
  idB: number,
): boolean {
  if (repA !== repB) return repA > repB;
  if (completedA !== completedB) return completedA > completedB;
  return idA < idB;
}

/**
 * Queue order: true when task a is served before b: higher incentive bid, then older
 * (earlier submission day), then the lower task id (submission sequence number).
 */
export function taskBefore(
  incentiveA: number,
  dayA: number,
  seqA: number,
  incentiveB: number,
  dayB: number,
  seqB: number,
): boolean {
  if (incentiveA !== incentiveB) return incentiveA > incentiveB;
  if (dayA !== dayB) return dayA < dayB;
  return seqA < seqB;
}
