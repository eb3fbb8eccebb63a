import { medianOfSorted, sharedScratch } from '../signal/robust-stats.ts';
import { float64Array } from '../signal/arena.ts';

export interface SeriesMonitorParams {
  /** Stances in the rolling median the decision is made on. */
  readonly windowStances: number;
  /** Consecutive stances the rolling median must stay past a level before the state changes. */
  readonly confirmStances: number;
}

/** What one pushed value did to the monitor's state. */
export type SeriesChange = 'raised' | 'cleared' | null;

/**
 * A sustained-change detector on one per-stance series: a rolling median over
 * `windowStances` (robust to single odd stances: a stumble, a kerb), compared
 * with a raise level and a lower resolve level (hysteresis), each crossing
 * confirmed over `confirmStances` consecutive stances. The levels come from
 * outside: a fresh-legs baseline or an absolute limit. Preallocated; one small
 * sort per stance (not per sample).
 */
export class SeriesMonitor {
  private readonly window: Float64Array;
  private count = 0;
  private run = 0;
  high = false;
  /** Rolling median after the latest push (NaN until the window is full). */
  median = Number.NaN;
  /** In the direction of `sign`: a value is past the raise level when sign × (value − raise) > 0. */
  private raiseLevel = Number.NaN;
  private resolveLevel = Number.NaN;
  private sign = 1;

  constructor(private readonly params: SeriesMonitorParams) {
    this.window = float64Array(params.windowStances);
  }

  /** Sets the levels: raised past `raise`, resolved back past `resolve`; `sign` −1 watches for a fall. */
  setLevels(raise: number, resolve: number, sign: 1 | -1): void {
    this.raiseLevel = raise;
    this.resolveLevel = resolve;
    this.sign = sign;
  }

  get armed(): boolean {
    return !Number.isNaN(this.raiseLevel);
  }

  push(value: number): SeriesChange {
    const n = this.window.length;
    this.window[this.count % n] = value;
    this.count++;
    if (this.count < n) return null;
    const sorted = sharedScratch(n);
    sorted.set(this.window);
    sorted.sort();
    this.median = medianOfSorted(sorted, n);
    if (!this.armed) return null;
    const past = this.high ? this.sign * (this.median - this.resolveLevel) < 0 : this.sign * (this.median - this.raiseLevel) > 0;
    this.run = past ? this.run + 1 : 0;
    if (this.run < this.params.confirmStances) return null;
    this.run = 0;
    this.high = !this.high;
    return this.high ? 'raised' : 'cleared';
  }
}
