// Types of stance-series.js for the TypeScript tests that import it (not served).
export const SERIES_METRICS: readonly string[];
export interface StanceLike {
  side: 'left' | 'right';
  icUs: number;
  [metric: string]: unknown;
}
export class StanceSeries {
  constructor(startUs: number);
  readonly startUs: number;
  readonly x: number[];
  readonly bySide: { left: StanceLike[]; right: StanceLike[] };
  readonly version: number;
  readonly count: number;
  add(stance: StanceLike): boolean;
  data(metric: string, combined?: boolean): (number | null)[][];
  latest(side: 'left' | 'right', n: number): StanceLike[];
}
