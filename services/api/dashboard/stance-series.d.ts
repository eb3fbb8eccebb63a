// Types of stance-series.js for the TypeScript tests that import it (not served).
export const SERIES_METRICS: readonly string[];
export interface StanceLike {
  side: 'left' | 'right';
  icUs: number;
  [metric: string]: unknown;
}
/** A stride page of the API as `layout=columns` gives it. */
export interface StanceColumnsPage {
  count: number;
  columns: Record<string, unknown[]>;
  next?: string | null;
}
/** One side's stances in arrival order, one array per field. */
export type SideColumns = { icUs: number[] } & Record<string, (number | null)[]>;
export class StanceSeries {
  constructor(startUs: number);
  readonly startUs: number;
  readonly x: number[];
  readonly bySide: { left: SideColumns; right: SideColumns };
  readonly version: number;
  readonly count: number;
  add(stance: StanceLike): boolean;
  addColumns(page: StanceColumnsPage): number;
  data(metric: string, combined?: boolean): (number | null)[][];
  first(side: 'left' | 'right', metric: string, n: number): number[];
  latest(side: 'left' | 'right', n: number): StanceLike[];
}
