/**
 * What a scenario reports: rows of repeated measurements, each optionally
 * paired run by run with a baseline measured in the same process run.
 * Scenarios print this as JSON (bench/run.ts collects it); nothing here times anything.
 */

/** One figure, measured `values.length` times. */
export interface Row {
  /** Stable id, unique within the scenario (e.g. `pipeline-1`). */
  readonly id: string;
  /** What was measured, for the table. */
  readonly figure: string;
  /** Unit of `values`, e.g. `M ch-samples/s`, `s`, `ms`, `KB/session`. */
  readonly unit: string;
  /** One value per repetition, in run order. */
  readonly values: readonly number[];
  /** Whether a larger value is better (rates) or worse (times, latency, memory). */
  readonly higherIsBetter: boolean;
  /** Id of the row measured alongside this one as its baseline (same repetitions, same data). */
  readonly baseline?: string;
  /** The baseline ran in the same process run but not back to back per repetition: the ratio is of medians. */
  readonly unpaired?: boolean;
  /** The target for this figure, in words, and whether the median meets it (null: no verdict). */
  readonly target?: string;
  readonly met?: boolean | null;
  readonly note?: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  /** Repetitions of each timed measurement. */
  readonly runs: number;
  readonly rows: readonly Row[];
  /** What the input was (sizes, seeds), how it was fed, and anything skipped and why. */
  readonly notes: readonly string[];
  /** Untimed preparation (data generation …), s. */
  readonly setupS: number;
  /** Wall time of the whole scenario, s. */
  readonly wallS: number;
}

/** Prefix of the one stdout line a scenario child prints its result on (everything else is progress). */
export const RESULT_MARKER = 'BENCH-RESULT ';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Quantile q (0..1) with linear interpolation between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function minMax(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/**
 * Ratios of a row to its baseline, repetition by repetition (both were measured
 * back to back in the same repetition, so the machine's noise mostly cancels).
 */
export function pairedRatios(row: Row, baseline: Row): number[] {
  const n = Math.min(row.values.length, baseline.values.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(row.values[i]! / baseline.values[i]!);
  return out;
}
