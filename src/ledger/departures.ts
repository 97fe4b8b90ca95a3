import type { Transaction } from "kysely";
import type { Tables } from "./db.js";
import { conflict, notFound } from "./errors.js";
import type { Dispatcher } from "./scheduler.js";

type Trx = Transaction<Tables>;

/** What a departure needs of its ledger (the Ledger class; named here so this file does not import it). */
export interface DepartingLedger {
  readonly openDay: number;
  readonly dispatcher: Dispatcher;
  /** The next validation-outcome sequence number (E20's order), taken. */
  takeOutcomeSeq(): number;
  /** Serve the queue (persisting the assignments); task → supplier. */
  dispatch(trx: Trx): Promise<Map<number, number>>;
  taskForDispatch(t: Tables["tasks"]): Parameters<Dispatcher["enqueue"]>[0];
}

/**
 * A supplier leaves on the open day d (docs/ledger.md, "Supplier departures"). From then it is
 * not active (it counts in the day's suppliers on days joined ≤ t < d: E3, E4, E8 and the twin's
 * supplier series) and receives no work. Its assignments not yet completed are abandoned: each
 * task goes back to the queue and is dispatched again at once; a bond
 * posted for it is forfeited to the token reserve at the day's close, as the bond of failed work
 * (E22). Work it completed stays with the validators: paid and its bond returned if it passes,
 * the bond lost if it fails. Its phase-one stake stays staked and is released with every stake on
 * the first phase-2 day. The statement stays readable, with the departure on it; nothing else is
 * posted to the supplier afterwards but those validations and that release.
 */
export async function departSupplier(
  l: DepartingLedger,
  trx: Trx,
  supplierId: number,
  by: string,
  reason: string | null,
) {
  const s = await trx
    .selectFrom("suppliers")
    .select("id")
    .where("id", "=", supplierId)
    .executeTakeFirst();
  if (!s) throw notFound("id", `no supplier ${supplierId}`);
  const gone = await trx
    .selectFrom("departures")
    .select("day")
    .where("supplier_id", "=", supplierId)
    .executeTakeFirst();
  if (gone) throw conflict("id", `supplier ${supplierId} already left on day ${gone.day}`);
  const day = l.openDay;
  await trx
    .insertInto("departures")
    .values({ supplier_id: supplierId, day, reason, recorded_by: by, at: new Date().toISOString() })
    .execute();
  const open = await trx
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .selectAll("tasks")
    .select(["attempts.id as attemptId", "attempts.bond_day as bondDay"])
    .where("attempts.supplier_id", "=", supplierId)
    .where("attempts.outcome", "=", "open")
    .where("attempts.completed_day", "is", null)
    .orderBy("attempts.id")
    .execute();
  l.dispatcher.removeSupplier(supplierId);
  for (const a of open) {
    await trx
      .updateTable("attempts")
      .set({ outcome: "abandoned", outcome_seq: l.takeOutcomeSeq(), validated_day: day })
      .where("id", "=", a.attemptId)
      .execute();
    await trx
      .updateTable("tasks")
      .set({ status: "queued", attempt_id: null })
      .where("id", "=", a.id)
      .execute();
    const { attemptId: _a, bondDay: _b, ...task } = a;
    l.dispatcher.enqueue(l.taskForDispatch({ ...task, status: "queued", attempt_id: null }));
  }
  const assigned = await l.dispatch(trx);
  const awaiting = await trx
    .selectFrom("attempts")
    .select("task_id")
    .where("supplier_id", "=", supplierId)
    .where("outcome", "=", "open")
    .orderBy("task_id")
    .execute();
  return {
    status: 200,
    body: {
      supplierId,
      day,
      reason,
      requeued: open.map((a) => ({
        taskId: a.id,
        bondForfeited: a.bondDay !== null,
        supplierId: assigned.get(a.id) ?? null,
      })),
      awaitingValidation: awaiting.map((a) => a.task_id),
    },
  };
}
