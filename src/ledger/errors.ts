/**
 * A request the ledger refuses: an HTTP status (4xx), the field at fault (a JSON path such as
 * `units` or `set.buybackModulation`, or "" for the request as a whole) and a readable message.
 * Nothing of a refused request is stored.
 */
export class LedgerError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "LedgerError";
  }
}

export const badInput = (field: string, message: string) => new LedgerError(422, field, message);
export const conflict = (field: string, message: string) => new LedgerError(409, field, message);
export const notFound = (field: string, message: string) => new LedgerError(404, field, message);
export const forbidden = (field: string, message: string) => new LedgerError(403, field, message);
