// Types of baseline.js for the TypeScript tests that import it (not served).
import type { StanceSeries } from './stance-series.js';
export const EARLY_STANCES: number;
export interface Band {
  median: number;
  low: number;
  high: number;
}
export function band(values: number[]): Band | null;
export function pelvicDropBaseline(summary: unknown, series: StanceSeries): { source: 'summary' | 'early' | 'none'; label: string; left: Band | null; right: Band | null };
