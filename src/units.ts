/**
 * Units in the types (docs/model.md §1). They are plain numbers at run time; the names say
 * which quantity a value is, so a function that turns USD into tokens says so.
 */
export type Usd = number;
export type Tokens = number;
export type UsdPerToken = number;
/** Jobs per day; real-valued in aggregate mode. */
export type Jobs = number;
/** Whole suppliers. */
export type Suppliers = number;
/** A share in [0, 1] unless the variable's own range says otherwise. */
export type Fraction = number;
/** 0-based day index. */
export type Day = number;
